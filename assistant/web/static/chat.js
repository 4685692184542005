() => {
  // Vraagbaak chat page script (Gradio runs this function once when the page loads).
  // Opens the source panel of a clicked [n] marker: event delegation on the document,
  // so it keeps working when the chat re-renders its messages.
  if (window.__vbCitations) { return; }
  window.__vbCitations = true;
  const openSource = (link) => {
    const id = (link.getAttribute('href') || '').replace(/^#/, '');
    if (!id) { return false; }
    const scope = link.closest('.vb-answer') || document;
    const panel = scope.querySelector('#' + CSS.escape(id)) || document.getElementById(id);
    if (!panel) { return false; }
    panel.open = true;
    panel.classList.add('vb-flash');
    setTimeout(() => panel.classList.remove('vb-flash'), 1200);
    panel.scrollIntoView({block: 'nearest'});
    const summary = panel.querySelector('summary');
    if (summary) { summary.focus({preventScroll: true}); }
    return true;
  };
  document.addEventListener('click', (event) => {
    const link = event.target && event.target.closest ? event.target.closest('a.vb-cite') : null;
    if (!link) { return; }
    event.preventDefault();
    event.stopPropagation();
    openSource(link);
  }, true);
  // Gradio labels each chat message with its raw content (our HTML source) in
  // aria-label; screen readers would read the tags.  Drop that label, so the
  // message's rendered text is read instead.
  const dropRawLabels = (root) => {
    root.querySelectorAll('[data-testid="bot"][aria-label], [data-testid="user"][aria-label]')
      .forEach((el) => el.removeAttribute('aria-label'));
  };
  new MutationObserver(() => dropRawLabels(document)).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'],
  });
  dropRawLabels(document);
  document.addEventListener('keydown', (event) => {
    if (event.key !== ' ') { return; }
    const link = event.target && event.target.closest ? event.target.closest('a.vb-cite') : null;
    if (!link) { return; }
    event.preventDefault();
    openSource(link);
  }, true);
}
