() => {
  // Vraagbaak Bronnen page script (Gradio runs this function once when the page loads).
  // Gradio names each file drop zone "Click to upload or drop files" (English, and not the
  // Dutch text it shows): a screen reader user hears something else than what is written.
  // Name the zone by its visible text instead, also when Gradio renders it again.
  if (window.__vbUploadNames) { return; }
  window.__vbUploadNames = true;
  const nameByText = () => {
    document.querySelectorAll('button.upload-container[aria-label]').forEach((zone) => {
      const text = (zone.innerText || '').replace(/\s+/g, ' ').trim();
      if (text && zone.getAttribute('aria-label') !== text) { zone.setAttribute('aria-label', text); }
    });
  };
  new MutationObserver(nameByText).observe(document.body, {subtree: true, childList: true, characterData: true});
  nameByText();
}
