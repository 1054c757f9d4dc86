// Renders the outcome of a patient's answer as an accessible page, in the language of their email.

import { MAX_COMMENT_CHARS } from '../app/answerForms';
import type { AnswerContext, AnswerRoute, AnswerView, FeedbackFormState } from '../app/answers';
import type { Locale } from '../core/model';
import { html, type SafeHtml } from './html';
import { layout } from './layout';
import { longDate, WORDING, type Wording } from './wording';

/** Answers the HTTP layer gives before (or instead of) a use case. */
export type HttpProblemView =
  | { kind: 'unreadable_form'; status: 400 | 415; route: AnswerRoute }
  | { kind: 'too_large'; status: 413; route: AnswerRoute }
  | { kind: 'method_not_allowed'; status: 405; route: AnswerRoute; allow: string[] }
  | { kind: 'unavailable'; status: 503; route: AnswerRoute };

export type PageView = Exclude<AnswerView, { kind: 'redirect' }> | HttpProblemView;

export function renderPage(view: PageView): string {
  switch (view.kind) {
    case 'later_confirm':
      return laterConfirm(view.context);
    case 'later_done':
      return laterDone(view.context, view.pausedUntil);
    case 'feedback_form':
      return feedbackForm(view.context, view.form);
    case 'feedback_thanks':
      return feedbackThanks(view.context, view.updated);
    case 'unsubscribe_confirm':
      return unsubscribeConfirm(view.context);
    case 'unsubscribe_done':
      return unsubscribeDone(view.context);
    case 'book_unavailable': {
      const w = WORDING[view.context.locale].bookUnavailable;
      return page(view.context, w.title, html`<p>${w.body(view.context.practiceName)}</p>`);
    }
    case 'expired_link':
      return expired(view);
    case 'invalid_link':
      return problem(view.route, (w) => w.invalid);
    case 'unknown_link':
      return problem(view.route, (w) => w.unknown);
    case 'unreadable_form':
      return problem(view.route, (w) => w.unreadable);
    case 'too_large':
      return problem(view.route, (w) => w.tooLarge);
    case 'method_not_allowed':
      return problem(view.route, (w) => w.notAllowed);
    case 'unavailable':
      return problem(view.route, (w) => w.unavailable);
  }
}

function page(context: AnswerContext, title: string, body: SafeHtml, titlePrefix = ''): string {
  return layout({
    lang: context.locale,
    title: `${titlePrefix}${title}`,
    practiceName: context.practiceName,
    content: html`<h1>${title}</h1>
${body}`,
  });
}

function bookingLink(context: AnswerContext, lead: string): SafeHtml | null {
  if (!context.bookingUrl) return null;
  const w = WORDING[context.locale];
  return html`<p>${lead} <a href="${context.bookingUrl}">${w.bookLinkLabel}</a></p>`;
}

function laterConfirm(context: AnswerContext): string {
  const w = WORDING[context.locale].laterConfirm;
  // No action attribute: the form posts back to this very link, which only a person pressing the button does.
  return page(
    context,
    w.title,
    html`${w.body(context.practiceName).map((text) => html`<p>${text}</p>`)}
<form method="post">
<button type="submit" class="button">${w.button}</button>
</form>`,
  );
}

function laterDone(context: AnswerContext, pausedUntil: string): string {
  const w = WORDING[context.locale].laterDone;
  const until = longDate(pausedUntil, context.locale, context.timeZone);
  return page(
    context,
    w.title,
    html`<p>${w.body(context.practiceName, until)}</p>
${bookingLink(context, w.bookLead)}
<p>${w.closing}</p>`,
  );
}

function feedbackForm(context: AnswerContext, form: FeedbackFormState): string {
  const w = WORDING[context.locale].feedbackForm;
  const ratingProblem = form.problems.find((p) => p.field === 'rating');
  const commentProblem = form.problems.find((p) => p.field === 'comment');
  const ratingError = ratingProblem
    ? ratingProblem.kind === 'missing'
      ? w.ratingMissing
      : w.ratingInvalid
    : null;
  const commentError = commentProblem?.kind === 'too_long' ? w.commentTooLong(commentProblem.length) : null;
  const errorLine = (id: string, message: string | null) =>
    message
      ? html`<p class="error" id="${id}"><span class="visually-hidden">${w.errorPrefix}</span>${message}</p>`
      : null;
  const summary =
    ratingError || commentError
      ? html`<div class="error-summary" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${w.summaryTitle}</h2>
<ul>
${ratingError ? html`<li><a href="#rating-1">${ratingError}</a></li>` : null}
${commentError ? html`<li><a href="#comment">${commentError}</a></li>` : null}
</ul>
</div>`
      : null;
  const ratings = ([1, 2, 3, 4, 5] as const).map(
    (value) => html`<div class="choice">
<input type="radio" id="rating-${value}" name="rating" value="${value}"${form.values.rating === String(value) ? html` checked` : null}>
<label for="rating-${value}">${w.ratings[value]}</label>
</div>
`,
  );
  const commentDescribedBy = commentError ? 'comment-hint comment-error' : 'comment-hint';
  // The form posts to the feedback function whether this page was opened from /r/{token} or is the answer
  // of /feedback/{token}: both resolve `../feedback/{token}` to the same address.
  return page(
    context,
    w.title,
    html`${summary}
<p>${w.intro(context.practiceName)}</p>
${form.answeredBefore ? html`<p>${w.answeredBefore}</p>` : null}
<form method="post" action="../feedback/${context.token}" novalidate>
<fieldset${ratingError ? html` aria-describedby="rating-error"` : null}>
<legend>${w.legend}</legend>
${errorLine('rating-error', ratingError)}
${ratings}</fieldset>
<div${commentError ? html` class="invalid"` : null}>
<label class="field" for="comment">${w.commentLabel}</label>
<p class="hint" id="comment-hint">${w.commentHint}</p>
${errorLine('comment-error', commentError)}
<textarea id="comment" name="comment" rows="6" maxlength="${MAX_COMMENT_CHARS}" aria-describedby="${commentDescribedBy}"${commentError ? html` aria-invalid="true"` : null}>${form.values.comment}</textarea>
</div>
<button type="submit" class="button">${w.button}</button>
</form>`,
    ratingError || commentError ? WORDING[context.locale].errorTitlePrefix : '',
  );
}

function feedbackThanks(context: AnswerContext, updated: boolean): string {
  const w = WORDING[context.locale].feedbackThanks;
  return page(
    context,
    w.title,
    html`<p>${w.body(context.practiceName)}${updated ? ` ${w.replaced}` : ''}</p>
${bookingLink(context, w.bookLead)}`,
  );
}

function unsubscribeConfirm(context: AnswerContext): string {
  const w = WORDING[context.locale].unsubscribeConfirm;
  // The button sends the same body as a mail client's RFC 8058 one-click request.
  return page(
    context,
    w.title,
    html`${w.body(context.practiceName).map((text) => html`<p>${text}</p>`)}
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" class="button">${w.button}</button>
</form>`,
  );
}

function unsubscribeDone(context: AnswerContext): string {
  const w = WORDING[context.locale].unsubscribeDone;
  return page(
    context,
    w.title,
    html`<p>${w.body(context.practiceName)}</p>
<p>${w.changeMind}</p>
${bookingLink(context, w.bookLead)}`,
  );
}

function expired(view: Extract<PageView, { kind: 'expired_link' }>): string {
  const body = (locale: Locale, context: AnswerContext | null) => {
    const w = WORDING[locale].expired;
    const next =
      view.action === 'book' && context?.bookingUrl
        ? bookingLink(context, w.bookLead)
        : html`<p>${view.action === 'later' ? w.later : w.other(context?.practiceName ?? null)}</p>`;
    return html`<p>${w.why}</p>
${next}`;
  };
  if (view.context)
    return page(
      view.context,
      WORDING[view.context.locale].expired.title,
      body(view.context.locale, view.context),
    );
  return bilingual(
    (w) => w.expired.title,
    (locale) => body(locale, null),
  );
}

/** A problem page of an unknown patient's link: French first, then English, each marked with its language. */
function problem(route: AnswerRoute, pick: (w: Wording) => { title: string; body: string }): string {
  return bilingual(
    (w) => pick(w).title,
    (locale) => {
      const w = WORDING[locale];
      return html`<p>${pick(w).body}</p>
${route === 'unsubscribe' ? html`<p>${w.unsubscribeOtherWay}</p>` : null}`;
    },
  );
}

function bilingual(title: (w: Wording) => string, body: (locale: Locale) => SafeHtml): string {
  const fr = title(WORDING.fr);
  const en = title(WORDING.en);
  return layout({
    lang: 'fr',
    title: `${fr} · ${en}`,
    practiceName: null,
    content: html`<h1>${fr} <span lang="en">· ${en}</span></h1>
${body('fr')}
<div lang="en" class="other-language">
${body('en')}
</div>`,
  });
}
