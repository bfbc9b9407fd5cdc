// While a report compiles, ask for its state every few seconds and say how it is going in the
// status region; when it is ready or has failed, reload the page to show the download or the
// reason. Without JavaScript the page offers a "Check progress" link instead.
(() => {
  const region = document.querySelector("[data-report-progress]");
  if (!region || !window.fetch) {
    return;
  }
  const message = region.querySelector("[data-report-progress-message]");
  const words = {
    queued: "Waiting for the report worker.",
    compiling: "Counting this month's moderated audits.",
    rendering: "Drawing the charts and making the PDF.",
  };
  let last = region.dataset.state;
  let delay = 1500;

  const poll = async () => {
    try {
      const response = await fetch(region.dataset.stateUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const version = await response.json();
        if (version.state === "ready" || version.state === "failed") {
          window.location.reload();
          return;
        }
        if (version.state !== last && message && words[version.state]) {
          last = version.state;
          message.textContent = words[version.state];
        }
      }
    } catch (error) {
      // A network blip: try again on the next tick.
    }
    delay = Math.min(delay * 1.5, 10000);
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, delay);
})();
