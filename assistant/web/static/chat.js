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
  // When the escalation form appears ("Vraag een medewerker", or the assistant passes a
  // question on), bring it into view and put the focus in it: below the chat it would
  // otherwise open out of sight on a laptop screen and the button would seem to do nothing.
  let formShown = false;
  const revealForm = () => {
    const form = document.getElementById('vb-form');
    if (!form || !form.getClientRects().length) { formShown = false; return; }
    if (formShown) { return; }
    const field = (id) => form.querySelector('#' + id + ' input, #' + id + ' textarea');
    const question = field('vb-f-question');
    const name = field('vb-f-name');
    // Gradio renders the column before its fields: wait for the next change until they are there.
    if (!question || !name) { return; }
    formShown = true;
    form.scrollIntoView({block: 'start', behavior: 'auto'});
    (question.value ? name : question).focus({preventScroll: true});
  };
  new MutationObserver(() => { dropRawLabels(document); revealForm(); }).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label', 'class', 'style', 'hidden'],
  });
  dropRawLabels(document);
  // Skip links at the top of the page: straight to the question box or the latest answer.
  document.addEventListener('click', (event) => {
    const link = event.target && event.target.closest ? event.target.closest('a.vb-skip-link') : null;
    if (!link) { return; }
    event.preventDefault();
    if (link.classList.contains('vb-skip-question')) {
      const box = document.querySelector('#vb-question textarea, #vb-question input');
      if (box) { box.focus(); }
      return;
    }
    const answers = document.querySelectorAll('#vb-chat .vb-answer');
    const last = answers[answers.length - 1];
    if (!last) {
      const box = document.querySelector('#vb-question textarea, #vb-question input');
      if (box) { box.focus(); }
      return;
    }
    last.setAttribute('tabindex', '-1');
    last.scrollIntoView({block: 'nearest'});
    last.focus();
  }, true);
  document.addEventListener('keydown', (event) => {
    if (event.key !== ' ') { return; }
    const link = event.target && event.target.closest ? event.target.closest('a.vb-cite') : null;
    if (!link) { return; }
    event.preventDefault();
    openSource(link);
  }, true);
}
