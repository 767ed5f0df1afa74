/* Backstory pages: small enhancements over server-rendered HTML and htmx. Every feature here has
   a plain-link fallback, so the pages work without JavaScript. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  /* --- Search: a combobox over the results listbox (arrows, Enter, Escape) ------------------ */
  function setUpSearch() {
    var input = document.getElementById("global-search");
    var results = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!input || !results) return;
    var active = -1;

    function options() { return Array.prototype.slice.call(results.querySelectorAll("[role=option]")); }
    function expanded(open) { input.setAttribute("aria-expanded", open ? "true" : "false"); }
    function setActive(index) {
      var opts = options();
      active = opts.length ? index : -1;
      opts.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", opts[active].id);
        opts[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function close() {
      results.innerHTML = "";
      expanded(false);
      setActive(-1);
    }
    function openActive() {
      var opts = options();
      var link = active >= 0 && opts[active] ? opts[active].querySelector("a") : null;
      if (link) window.location.assign(link.href);
      return Boolean(link);
    }

    input.addEventListener("keydown", function (event) {
      var count = options().length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        setActive((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        setActive((active - 1 + count) % count);
      } else if (event.key === "Enter") {
        if (openActive()) event.preventDefault();
      } else if (event.key === "Escape" && results.innerHTML.trim()) {
        event.preventDefault();
        close();
      }
    });
    results.addEventListener("mousemove", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) setActive(options().indexOf(option));
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== results) return;
      var count = options().length;
      var hasContent = Boolean(results.textContent.trim());
      expanded(hasContent);
      setActive(count ? 0 : -1);
      if (status) status.textContent = count ? count + (count === 1 ? " result" : " results") : (hasContent ? "No results" : "");
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest("[data-search]")) close();
    });
  }

  /* --- Disclosure: the engagement breakdown opens on click (and previews on hover) ------------- */
  function disclosurePanel(toggle) { return document.getElementById(toggle.getAttribute("aria-controls")); }
  function setDisclosure(toggle, open, pinned) {
    var panel = disclosurePanel(toggle);
    if (!panel) return;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    panel.hidden = !open;
    toggle.dataset.pinned = open && pinned ? "1" : "";
  }
  function setUpDisclosures() {
    document.addEventListener("click", function (event) {
      var toggle = event.target.closest("[data-disclosure]");
      if (!toggle) return;
      event.preventDefault();
      var pinned = toggle.dataset.pinned === "1";
      setDisclosure(toggle, !pinned, true);
    });
    document.addEventListener("keydown", function (event) {
      var toggle = event.target.closest && event.target.closest("[data-disclosure]");
      if (toggle && event.key === " ") {
        event.preventDefault();
        toggle.click();
      }
      if (event.key === "Escape") {
        document.querySelectorAll("[data-disclosure][aria-expanded=true]").forEach(function (open) {
          setDisclosure(open, false, false);
          if (open.contains(document.activeElement) || disclosurePanel(open).contains(document.activeElement)) open.focus();
        });
      }
    });
    document.addEventListener("mouseover", function (event) {
      var area = event.target.closest && event.target.closest("[data-disclosure-hover]");
      if (!area) return;
      var toggle = area.querySelector("[data-disclosure]");
      if (toggle && toggle.getAttribute("aria-expanded") !== "true") setDisclosure(toggle, true, false);
    });
    document.addEventListener("mouseout", function (event) {
      var area = event.target.closest && event.target.closest("[data-disclosure-hover]");
      if (!area || (event.relatedTarget && area.contains(event.relatedTarget))) return;
      var toggle = area.querySelector("[data-disclosure]");
      if (toggle && toggle.dataset.pinned !== "1") setDisclosure(toggle, false, false);
    });
  }

  /* --- Drawer: the sidebar of a bullet or a person (dialog, focus trapped, Escape closes) ----- */
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex='-1'])";
  var opener = null;

  function drawer() { return document.getElementById("drawer"); }
  function drawerContent() { return document.getElementById("drawer-content"); }
  function focusDrawer() {
    var title = document.getElementById("drawer-title");
    var panel = drawer() && drawer().querySelector(".drawer-panel");
    (title || panel).focus({ preventScroll: true });
  }
  function openDrawer(trigger) {
    var d = drawer();
    if (!d) return;
    if (trigger) opener = trigger;
    d.hidden = false;
    document.body.classList.add("drawer-open");
  }
  function closeDrawer() {
    var d = drawer();
    if (!d || d.hidden) return;
    d.hidden = true;
    document.body.classList.remove("drawer-open");
    if (opener && document.contains(opener)) opener.focus();
    opener = null;
  }
  function setUpDrawer() {
    var d = drawer();
    if (!d) return;
    if (!d.hidden) {
      document.body.classList.add("drawer-open");
      focusDrawer();
    }
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var trigger = event.detail.elt;
      if (!trigger.matches || !trigger.matches("[data-drawer-open]")) return;
      openDrawer(trigger);
      var content = drawerContent();
      content.setAttribute("aria-busy", "true");
      content.innerHTML = '<p class="drawer-loading">Loading…</p>';
      d.querySelector(".drawer-panel").focus({ preventScroll: true });
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== drawerContent()) return;
      drawerContent().setAttribute("aria-busy", "false");
      focusDrawer();
    });
    document.addEventListener("click", function (event) {
      if (event.target.closest("[data-drawer-close]")) {
        event.preventDefault();
        closeDrawer();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (d.hidden) return;
      if (event.key === "Escape") {
        event.preventDefault();
        closeDrawer();
        return;
      }
      if (event.key !== "Tab") return;
      var panel = d.querySelector(".drawer-panel");
      var items = Array.prototype.filter.call(panel.querySelectorAll(FOCUSABLE), function (el) { return el.offsetParent !== null; });
      if (!items.length) { event.preventDefault(); panel.focus(); return; }
      var first = items[0];
      var last = items[items.length - 1];
      if (!panel.contains(document.activeElement)) {
        event.preventDefault();
        first.focus();
      } else if (event.shiftKey && (document.activeElement === first || document.activeElement === panel)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
  }

  /* --- Assistant: opening the panel or asking shows the newest exchange, question first ------ */
  function showLatestExchange() {
    var list = document.getElementById("assistant-messages");
    if (!list || !list.lastElementChild) return;
    var last = list.lastElementChild;
    var question = last.previousElementSibling && last.previousElementSibling.getAttribute("data-role") === "user" ? last.previousElementSibling : last;
    // Within the list only: scrolling the page (or the Salesforce frame around it) would jump.
    list.scrollTop = question.offsetTop - list.firstElementChild.offsetTop;
  }
  function setUpAssistant() {
    document.body.addEventListener("htmx:afterSettle", function (event) {
      var id = event.detail.target && event.detail.target.id;
      if (id === "assistant-panel" || id === "assistant-messages") showLatestExchange();
    });
  }

  /* --- Engagement Log: a saved or removed activity updates its row, if the log shows it ------- */
  function setUpLogPane() {
    document.body.addEventListener("htmx:afterSettle", function () {
      Array.prototype.forEach.call(document.querySelectorAll("template.log-pane-row"), function (template) {
        var row = document.getElementById(template.getAttribute("data-row"));
        if (row && template.getAttribute("data-remove")) row.remove();
        else if (row) {
          var fresh = template.content.querySelector("tr");
          if (fresh) { fresh.className = row.className; row.replaceWith(fresh); htmx.process(fresh); }
        }
        template.remove();
      });
    });
  }

  /* --- Errors: htmx does not swap error responses; say what happened instead ----------------- */
  function showAlert(message) {
    var alert = document.getElementById("page-alert");
    if (!alert) return;
    alert.textContent = message;
    alert.hidden = false;
  }
  function setUpErrors() {
    document.body.addEventListener("htmx:responseError", function (event) {
      var xhr = event.detail.xhr;
      var message = "Something went wrong. Try again in a moment.";
      if (xhr.status === 401) message = xhr.responseText || "Your session has ended. Reload the page to continue.";
      else if (xhr.status === 404) message = "That item is no longer available. Reload the page to see the latest.";
      if (drawerContent() && event.detail.target === drawerContent()) {
        drawerContent().setAttribute("aria-busy", "false");
        drawerContent().innerHTML = "";
        closeDrawer();
      }
      showAlert(message);
    });
    document.body.addEventListener("htmx:sendError", function () {
      showAlert("Backstory can't be reached right now. Check your connection and try again.");
    });
  }

  onReady(function () {
    setUpSearch();
    setUpDisclosures();
    setUpDrawer();
    setUpErrors();
    setUpAssistant();
    setUpLogPane();
  });
})();
