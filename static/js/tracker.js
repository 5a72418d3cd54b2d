/* Small behaviours for the tracker's pages. No inline scripts: everything hooks on data-* attributes. */
(function () {
  "use strict";

  function updateForm() {
    return document.getElementById("update");
  }

  function choose(kind) {
    var form = updateForm();
    if (!form) {
      return false;
    }
    var radio = form.querySelector('input[name="kind"][value="' + kind + '"]');
    if (radio) {
      radio.checked = true;
    }
    form.scrollIntoView({ block: "start" });
    var body = form.querySelector("textarea");
    if (body) {
      body.focus();
    }
    return true;
  }

  function isTyping(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // Keyboard shortcuts on the ticket page: r reply, c comment, t take, s resolve.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    var key = event.key;
    if (key === "?") {
      var help = document.getElementById("shortcuts");
      if (help && !help.open) {
        event.preventDefault();
        help.showModal();
      }
      return;
    }
    if (key === "/") {
      var search = document.getElementById("q");
      var nav = document.querySelector("[data-search-link]");
      if (search) {
        event.preventDefault();
        search.focus();
      } else if (nav) {
        event.preventDefault();
        window.location.href = nav.href;
      }
      return;
    }
    if (key === "r" && choose("reply")) {
      event.preventDefault();
    } else if (key === "c" && choose("comment")) {
      event.preventDefault();
    } else if (key === "t" || key === "s") {
      var button = document.querySelector('[data-shortcut="' + key + '"]');
      if (button) {
        event.preventDefault();
        button.click();
      }
    }
  });

  // The help overlay and the light/dark toggle (remembered in a cookie, so the server
  // renders the chosen theme and the page never flashes the other one).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-help-open]")) {
      var help = document.getElementById("shortcuts");
      if (help) {
        help.showModal();
      }
      return;
    }
    if (!event.target.closest("[data-theme-toggle]")) {
      return;
    }
    var root = document.documentElement;
    var current = root.dataset.theme ||
      (window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
    var next = current === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    document.cookie = "theme=" + next + "; path=/; max-age=31536000; SameSite=Lax";
  });

  // Links such as "Resolve" pick the message type and the status in the update form.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-update-kind]");
    if (!link || !updateForm()) {
      return;
    }
    var status = updateForm().querySelector('select[name="status"]');
    if (status && link.dataset.updateStatus) {
      status.value = link.dataset.updateStatus;
    }
    if (choose(link.dataset.updateKind)) {
      event.preventDefault();
    }
  });
})();

/* Metric charts: Chart.js draws each <canvas data-chart> from the metrics JSON; the
   same numbers are always in a table next to it, so a missing library loses nothing. */
(function () {
  "use strict";
  var requests = {};

  function labels() {
    var node = document.getElementById("chart-labels");
    return node ? JSON.parse(node.textContent) : {};
  }

  function load(url) {
    if (!requests[url]) {
      requests[url] = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; });
    }
    return requests[url];
  }

  function colours() {
    var style = getComputedStyle(document.documentElement);
    return {
      accent: style.getPropertyValue("--accent").trim() || "#2556c4",
      ok: style.getPropertyValue("--ok").trim() || "#1d7a46",
      muted: style.getPropertyValue("--muted").trim() || "#5d6878",
      text: style.getPropertyValue("--text").trim() || "#1c2430",
      border: style.getPropertyValue("--border").trim() || "#dde2e8"
    };
  }

  function config(kind, data, words, c) {
    var bar = function (names, values, label, colour) {
      return { type: "bar", data: { labels: names, datasets: [{ label: label, data: values, backgroundColor: colour }] } };
    };
    if (kind === "created_vs_resolved") {
      var rows = data.created_vs_resolved;
      return {
        type: "line",
        data: {
          labels: rows.map(function (r) { return r.day; }),
          datasets: [
            { label: words.created, data: rows.map(function (r) { return r.created; }), borderColor: c.accent, backgroundColor: c.accent, tension: 0.2 },
            { label: words.resolved, data: rows.map(function (r) { return r.resolved; }), borderColor: c.ok, backgroundColor: c.ok, tension: 0.2 }
          ]
        }
      };
    }
    if (kind === "open_by_owner") {
      return bar(data.open_by_owner.map(function (r) { return r.owner; }), data.open_by_owner.map(function (r) { return r.count; }), words.open, c.accent);
    }
    if (kind === "open_by_queue_status") {
      return bar(data.open_by_queue_status.map(function (r) { return r.queue + " · " + r.status; }), data.open_by_queue_status.map(function (r) { return r.count; }), words.open, c.accent);
    }
    if (kind === "backlog_age") {
      var keys = ["under_1d", "1_7d", "7_30d", "over_30d"];
      return bar(keys.map(function (k) { return words[k]; }), keys.map(function (k) { return data.backlog_age[k]; }), words.open, c.accent);
    }
    if (kind === "response_times") {
      var first = data.first_response_hours, res = data.resolve_hours;
      return {
        type: "bar",
        data: {
          labels: [words.first_response, words.resolution],
          datasets: [
            { label: words.median, data: [first.median, res.median], backgroundColor: c.accent },
            { label: words.p90, data: [first.p90, res.p90], backgroundColor: c.muted }
          ]
        }
      };
    }
    if (kind === "custom_field" && data.custom_field) {
      return bar(data.custom_field.values.map(function (r) { return r.value; }), data.custom_field.values.map(function (r) { return r.count; }), words.tickets, c.accent);
    }
    return null;
  }

  function draw(canvas) {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var inline = canvas.getAttribute("data-chart-json");
    var source = inline
      ? Promise.resolve(JSON.parse(document.getElementById(inline).textContent))
      : load(canvas.getAttribute("data-chart-src"));
    source.then(function (data) {
      if (!data) {
        return;
      }
      var c = colours();
      var cfg = config(canvas.getAttribute("data-chart"), data, labels(), c);
      var hasData = cfg && cfg.data.datasets.some(function (set) {
        return set.data.some(function (value) { return value; });
      });
      if (!hasData) {
        // Nothing but zeros: the table (or its "nothing yet" line) says it better.
        canvas.parentNode.hidden = true;
        return;
      }
      window.Chart.defaults.color = c.text;
      window.Chart.defaults.borderColor = c.border;
      cfg.options = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: cfg.data.datasets.length > 1 } }, scales: { y: { beginAtZero: true } } };
      canvas.parentNode.classList.add("drawn");
      canvas.chart = new window.Chart(canvas, cfg);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();

/* Query builder: offer only the operators a field takes; add more rows on demand. */
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function limitOperators(row, kinds, operators) {
    var field = row.querySelector("[data-builder-field]");
    var select = row.querySelector("[data-builder-operator]");
    var allowed = operators[kinds[field.value]] || null;
    Array.prototype.forEach.call(select.options, function (option) {
      option.hidden = allowed !== null && allowed.indexOf(option.value) === -1;
    });
    if (allowed && allowed.indexOf(select.value) === -1) {
      select.value = allowed[0];
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var builder = document.querySelector("[data-builder]");
    if (!builder) {
      return;
    }
    var kinds = data("builder-kinds") || {};
    var operators = data("builder-operators") || {};
    builder.querySelectorAll("[data-builder-row]").forEach(function (row) {
      limitOperators(row, kinds, operators);
    });
    builder.addEventListener("change", function (event) {
      if (event.target.matches("[data-builder-field]")) {
        limitOperators(event.target.closest("[data-builder-row]"), kinds, operators);
      }
    });
    var add = builder.querySelector("[data-builder-add]");
    add.hidden = false;
    add.addEventListener("click", function () {
      var rows = builder.querySelectorAll("[data-builder-row]");
      if (rows.length >= 10) {
        return;
      }
      var copy = rows[rows.length - 1].cloneNode(true);
      var n = rows.length + 1;
      copy.querySelectorAll("select, input").forEach(function (control) {
        var base = control.id.split("-")[0];
        control.id = base + "-" + n;
        var label = copy.querySelector('label[for^="' + base + '-"]');
        if (label) {
          label.htmlFor = control.id;
        }
        if (control.tagName === "INPUT") {
          control.value = "";
        }
      });
      copy.querySelector(".builder-join").hidden = false;
      rows[rows.length - 1].after(copy);
      copy.querySelector("[data-builder-field]").focus();
    });
  });
})();
