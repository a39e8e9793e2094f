// The "Print this page" buttons: shown only where this script runs, since they need it.
for (const button of document.querySelectorAll("[data-scc-print]")) {
  button.hidden = false
  button.addEventListener("click", () => window.print())
}
