// The demo's live checks. This file is external so that it runs whatever the
// policy says about inline scripts ('self' allows it); it reports, it never
// decides what is safe.
(function () {
  "use strict";
  var framed = window.top !== window;
  // Set when this page's own policy refuses the frame the framing check makes:
  // that check then tested nothing about frame-ancestors or X-Frame-Options.
  var frameRefusedHere = false;

  function show(id, result, text) {
    var output = document.getElementById(id);
    output.dataset.result = result;
    output.textContent = text;
    return output;
  }

  function report(id, blocked, detail) {
    var output = show(id, blocked ? "blocked" : "allowed",
      (blocked ? "blocked" : "runs") + (detail ? " (" + detail + ")" : ""));
    if (detail) output.dataset.detail = detail;
  }

  // Registered before the page's inline script is parsed, so its violation is seen.
  document.addEventListener("securitypolicyviolation", function (event) {
    if (event.effectiveDirective === "frame-src") frameRefusedHere = true;
    var list = document.getElementById("violations");
    if (!list) return;
    var item = document.createElement("li");
    item.textContent = event.effectiveDirective + " refused " + (event.blockedURI || "(inline)");
    list.appendChild(item);
  });

  if (framed) {
    // Tell whoever framed us that we loaded: framing was allowed.
    window.parent.postMessage("secheaders-demo:framed", "*");
    return;
  }

  document.addEventListener("DOMContentLoaded", function () {
    report("check-inline", window.demoInlineRan !== true);
    report("check-nonce", window.demoNoncedRan !== true);

    var features = document.permissionsPolicy || document.featurePolicy;
    if (features) {
      report("check-camera", !features.allowsFeature("camera"));
    } else {
      show("check-camera", "unknown", "this browser cannot tell");
    }

    try {
      // eslint-disable-next-line no-eval
      var result = eval("6 * 7");
      report("check-eval", result !== 42);
    } catch (error) {
      report("check-eval", true, error.name);
    }

    var loaded = false;
    window.addEventListener("message", function (event) {
      if (event.origin === location.origin && event.data === "secheaders-demo:framed") {
        loaded = true;
        report("check-frame", false);
      }
    });
    var frame = document.createElement("iframe");
    frame.title = "this page, framed";
    frame.src = location.pathname + "?framed=1";
    frame.addEventListener("load", function () {
      // A refused frame still fires load (with an error page); give a page
      // that did load a moment to say so.
      setTimeout(function () {
        if (loaded) return;
        if (frameRefusedHere) {
          show("check-frame", "unknown",
            "not tested: this page's own frame-src refused the frame");
          return;
        }
        // Our policy let the frame load, so the framed page's answer refused
        // it: its frame-ancestors or X-Frame-Options. (COEP could too, but the
        // framed page is this page, with this page's COEP.)
        report("check-frame", true);
        // The browser shows its own error page in a refused frame: say what it is.
        var label = document.createElement("p");
        label.id = "frame-label";
        label.className = "blocked-frame";
        label.textContent = "Blocked: the browser refused to show this page in a frame " +
          "(Content-Security-Policy frame-ancestors, X-Frame-Options).";
        frame.classList.add("blocked");
        frame.after(label);
      }, 500);
    });
    document.getElementById("check-frame").after(frame);
  });
})();
