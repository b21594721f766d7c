// Live updates, on top of pages that work without them: web relays this person's
// notifications from notify (GET /live, Server-Sent Events; the token stays on the server).
// On each one the header's unread count goes up, a region of this page that shows that kind
// of news (data-live="kind ...", data-live-contract="id" when it is one contract's) is fetched
// again, and a polite announcement says what happened in notify's own words. News that is
// nobody's notification (a new post in a space: "post" events, ids only) refreshes that
// space's feed where it is open, and leaves the count alone.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) { return; }

  var news = document.getElementById("live-news");
  var badge = document.getElementById("unread-badge");

  function announce(text) {
    if (!news) { return; }
    news.textContent = "";
    window.setTimeout(function () { news.textContent = text; }, 50);
  }

  function countUp() {
    if (!badge) { return; }
    var shown = badge.querySelector(".badge");
    shown.textContent = String((parseInt(shown.textContent, 10) || 0) + 1);
    badge.hidden = false;
  }

  function wants(region, note) {
    var kinds = (region.getAttribute("data-live") || "").split(/\s+/);
    var contract = region.getAttribute("data-live-contract");
    if (kinds.indexOf("*") < 0 && kinds.indexOf(note.kind) < 0) { return false; }
    return !contract || contract === note.contract_id;
  }

  // the page again, and its region in place of ours; the service that shows the region may
  // learn of the news a moment after notify did, so an unchanged region (or, when we await
  // some text, one without it) is asked again
  function refresh(region, tries, awaited) {
    window.fetch(window.location.href, {credentials: "same-origin", redirect: "error",
                                        headers: {"Accept": "text/html"}})
      .then(function (answer) {
        if (!answer.ok) { throw new Error(String(answer.status)); }
        return answer.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById(region.id);
        var arrived = awaited ? fresh && fresh.innerHTML.indexOf(awaited) >= 0
          : fresh && fresh.innerHTML !== region.innerHTML;
        if (arrived) {
          region.innerHTML = fresh.innerHTML;
        } else if (tries > 1) {
          window.setTimeout(function () { refresh(region, tries - 1, awaited); }, 700);
        }
      })
      .catch(function () { /* the page still works by reloading */ });
  }

  var stream = new EventSource("/live");
  stream.addEventListener("open", function () {
    document.documentElement.setAttribute("data-live", "open");
  });
  stream.addEventListener("notification", function (event) {
    var note;
    try { note = JSON.parse(event.data); } catch (e) { return; }
    if (!note.read) { countUp(); }
    var regions = document.querySelectorAll("[data-live][id]");
    var touched = false;
    for (var i = 0; i < regions.length; i += 1) {
      if (wants(regions[i], note)) { refresh(regions[i], 8); touched = true; }
    }
    announce(touched ? note.text + " (shown below)" : note.text);
  });
  // news that is nobody's notification: a new post in a space (ids only). A feed of that
  // space on this page (data-live="post_published", data-live-space="id") is fetched again,
  // as this person may see it, until the post is in it; the count in the header stays.
  stream.addEventListener("post", function (event) {
    var told;
    try { told = JSON.parse(event.data); } catch (e) { return; }
    var regions = document.querySelectorAll("[data-live-space][id]");
    for (var i = 0; i < regions.length; i += 1) {
      if (regions[i].getAttribute("data-live-space") === told.space_id &&
          wants(regions[i], {kind: told.kind})) {
        refresh(regions[i], 8, "/posts/" + told.post_id);
        announce("A new post in this space (shown below)");
      }
    }
  });
})();
