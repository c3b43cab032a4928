/*
 * Imaginecole Kolibri shell: lets the player check answers inside Kolibri's sandboxed iframe.
 * Inlined in the app's index.html by exports/kolibri.py, after the player has mounted.
 *
 * Kolibri shows an HTML5 app in <iframe sandbox="allow-scripts"> (its default, without
 * allow-forms). There a form is never submitted: the browser stops before the submit event, so
 * the player's "Check" button and Enter in a field would do nothing. This shell cancels the click
 * on a submit button (Enter in a field clicks the form's submit button too) and fires the submit
 * event itself; the player handles it as usual. Outside a sandbox it changes nothing: the player
 * cancels every submission anyway.
 */
(function () {
  'use strict';

  function submit(form, event) {
    event.preventDefault();
    form.dispatchEvent(new Event('submit', {bubbles: true, cancelable: true}));
  }

  document.addEventListener('click', function (event) {
    const target = event.target;
    const button = target && target.closest ? target.closest('button, input') : null;
    if (!button || button.type !== 'submit' || !button.form || button.disabled) return;
    submit(button.form, event);
  }, true);
}());
