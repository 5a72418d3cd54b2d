"""Management commands for operating the tracker."""
