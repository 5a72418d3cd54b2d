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

/* Created-vs-resolved chart: an SVG drawn from the metrics JSON (numbers also in a table). */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    return node;
  }

  function draw(container, rows) {
    var width = 720, height = 200, pad = 24;
    var max = 1;
    rows.forEach(function (r) {
      max = Math.max(max, r.created, r.resolved);
    });
    var svg = el("svg", { viewBox: "0 0 " + width + " " + (height + pad), class: "chart-svg" });
    var slot = (width - pad) / Math.max(rows.length, 1);
    var bar = Math.max(1, slot / 2 - 1);
    rows.forEach(function (r, i) {
      var x = pad + i * slot;
      [["created", r.created, 0], ["resolved", r.resolved, bar]].forEach(function (item) {
        var h = (item[1] / max) * height;
        var rect = el("rect", { x: x + item[2], y: height - h, width: bar, height: h, class: "bar " + item[0] });
        var title = el("title", {});
        title.textContent = r.day + ": " + item[1] + " " + item[0];
        rect.appendChild(title);
        svg.appendChild(rect);
      });
    });
    svg.appendChild(el("line", { x1: pad, y1: height, x2: width, y2: height, class: "axis" }));
    var top = el("text", { x: 0, y: 12, class: "axis-label" });
    top.textContent = String(max);
    svg.appendChild(top);
    container.appendChild(svg);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart-src]").forEach(function (container) {
      fetch(container.getAttribute("data-chart-src"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data) {
            draw(container, data.created_vs_resolved);
          }
        });
    });
  });
})();
