// What the answer pages say, in French and English. Same tone as the emails: warm, no guilt, the door left open.
//
// The practice's name heads every page. French sentences speak as « nous » rather than splice the name in:
// « de » + a name gives « de Le Cabinet… » or « de Cabinet… » depending on how the practice is called.
import type { Locale } from '../core/model';

// French typography: a no-break space before « : » and inside guillemets, a narrow one before ? ! ;
const NB = '\u00a0';
const NN = '\u202f';

export interface Wording {
  /** Prefix of the page title when a form comes back with errors. */
  errorTitlePrefix: string;
  bookLinkLabel: string;
  laterConfirm: { title: string; body: (practice: string) => string[]; button: string };
  laterDone: {
    title: string;
    body: (practice: string, until: string) => string;
    bookLead: string;
    closing: string;
  };
  feedbackForm: {
    title: string;
    intro: (practice: string) => string;
    answeredBefore: string;
    legend: string;
    ratings: Record<1 | 2 | 3 | 4 | 5, string>;
    commentLabel: string;
    commentHint: string;
    button: string;
    summaryTitle: string;
    ratingMissing: string;
    ratingInvalid: string;
    commentTooLong: (length: number) => string;
    errorPrefix: string;
  };
  feedbackThanks: { title: string; body: (practice: string) => string; replaced: string; bookLead: string };
  unsubscribeConfirm: { title: string; body: (practice: string) => string[]; button: string };
  unsubscribeDone: {
    title: string;
    body: (practice: string) => string;
    changeMind: string;
    bookLead: string;
  };
  bookUnavailable: { title: string; body: (practice: string) => string };
  expired: {
    title: string;
    why: string;
    bookLead: string;
    later: string;
    other: (practice: string | null) => string;
  };
  invalid: { title: string; body: string };
  unknown: { title: string; body: string };
  unreadable: { title: string; body: string };
  tooLarge: { title: string; body: string };
  notAllowed: { title: string; body: string };
  unavailable: { title: string; body: string };
  /** Added to every problem page of an unsubscribe link: there is always another way to stop the emails. */
  unsubscribeOtherWay: string;
}

const fr: Wording = {
  errorTitlePrefix: `Erreur${NB}: `,
  bookLinkLabel: 'Prendre rendez-vous',
  laterConfirm: {
    title: `Pas pour le moment${NN}?`,
    body: () => [
      `C’est tout à fait normal. Si vous le confirmez, nous ne vous enverrons plus de message pendant trois mois (90${NB}jours).`,
      'Vous pourrez bien sûr reprendre rendez-vous à tout moment, si vous le souhaitez.',
    ],
    button: 'Confirmer la pause de trois mois',
  },
  laterDone: {
    title: 'C’est noté',
    body: (_practice, until) => `Vous ne recevrez plus de message de notre part avant le ${until}.`,
    bookLead: `Si vous souhaitez reprendre rendez-vous d’ici là, la porte reste ouverte${NB}:`,
    closing: 'Prenez soin de vous.',
  },
  feedbackForm: {
    title: 'Votre avis compte',
    intro: () => 'Merci de prendre deux minutes pour nous dire comment s’est passé votre suivi.',
    answeredBefore: `Vous nous avez déjà répondu${NB}: si vous envoyez ce formulaire, votre nouvelle réponse remplacera la précédente.`,
    legend: `Dans l’ensemble, comment s’est passé votre suivi${NN}?`,
    ratings: {
      1: '1 – Pas bien du tout',
      2: '2 – Plutôt pas bien',
      3: '3 – Moyennement',
      4: '4 – Bien',
      5: '5 – Très bien',
    },
    commentLabel: `Souhaitez-vous ajouter quelque chose${NN}? (facultatif)`,
    commentHint: `2${NN}000${NB}caractères au maximum. Votre message sera lu par l’équipe du cabinet.`,
    button: 'Envoyer mon avis',
    summaryTitle: 'Votre avis n’a pas encore pu être envoyé',
    ratingMissing: 'Choisissez une note de 1 à 5.',
    ratingInvalid: 'Choisissez une note de 1 à 5 parmi les choix proposés.',
    commentTooLong: (length) =>
      `Votre message compte ${length.toLocaleString('fr-FR')}${NB}caractères, pour 2${NN}000 au maximum${NB}: merci de le raccourcir un peu.`,
    errorPrefix: `Erreur${NB}: `,
  },
  feedbackThanks: {
    title: 'Merci pour votre retour',
    body: () =>
      'Votre avis a bien été enregistré. Il aide toute notre équipe à mieux accompagner les personnes que nous recevons.',
    replaced: 'Il remplace votre réponse précédente.',
    bookLead: `Et si vous souhaitez reprendre rendez-vous, la porte reste ouverte${NB}:`,
  },
  unsubscribeConfirm: {
    title: 'Ne plus recevoir ces messages',
    body: () => [
      'Vous ne recevrez plus nos messages de suivi (nouvelles, ressources, invitations à reprendre rendez-vous).',
      'Cela ne change rien à vos rendez-vous ni à vos échanges avec votre thérapeute.',
    ],
    button: 'Me désinscrire',
  },
  unsubscribeDone: {
    title: 'Désinscription confirmée',
    body: () => 'Vous ne recevrez plus nos messages de suivi.',
    changeMind: 'Si vous changez d’avis, il vous suffit d’en parler au cabinet.',
    bookLead: `Et si vous souhaitez un jour reprendre rendez-vous, la porte reste ouverte${NB}:`,
  },
  bookUnavailable: {
    title: 'Prendre rendez-vous',
    body: () =>
      'La prise de rendez-vous en ligne n’est pas disponible pour le moment. Pour convenir d’un rendez-vous, répondez simplement à l’e-mail ou contactez directement le cabinet.',
  },
  expired: {
    title: 'Ce lien a expiré',
    why: `Pour protéger vos informations, les liens de nos e-mails ne restent valables que 90${NB}jours.`,
    bookLead: `Vous pouvez toujours prendre rendez-vous ici${NB}:`,
    later:
      'Si vous préférez ne plus recevoir de message pendant un temps, répondez simplement à l’e-mail pour nous le dire.',
    other: () =>
      'Si vous souhaitez nous répondre, il vous suffit de répondre à l’e-mail ou de contacter le cabinet.',
  },
  invalid: {
    title: 'Ce lien ne fonctionne pas',
    body: `Il est peut-être incomplet, ou a été modifié. Essayez d’ouvrir à nouveau le lien depuis l’e-mail, ou répondez simplement à l’e-mail${NB}: nous ferons le nécessaire.`,
  },
  unknown: {
    title: 'Nous ne retrouvons pas ce message',
    body: 'Ce lien ne correspond à aucun message que nous pouvons retrouver (il est peut-être très ancien). Pour toute question, répondez simplement à l’e-mail ou contactez le cabinet.',
  },
  unreadable: {
    title: 'Ce formulaire n’a pas pu être lu',
    body: 'Merci de revenir à la page précédente et de réessayer.',
  },
  tooLarge: {
    title: 'Ce formulaire est trop long',
    body: 'Votre envoi dépasse la taille acceptée. Merci de raccourcir votre message et de réessayer.',
  },
  notAllowed: {
    title: 'Cette demande n’est pas possible ici',
    body: 'Ouvrez le lien directement depuis l’e-mail.',
  },
  unavailable: {
    title: 'Un souci technique passager',
    body: 'Nous n’avons pas pu traiter votre demande. Merci de réessayer dans quelques minutes.',
  },
  unsubscribeOtherWay: `Pour ne plus recevoir nos messages, vous pouvez aussi répondre à l’e-mail en nous le demandant, ou contacter directement le cabinet${NB}: nous arrêterons les envois.`,
};

const en: Wording = {
  errorTitlePrefix: 'Error: ',
  bookLinkLabel: 'Book a session',
  laterConfirm: {
    title: 'Not right now?',
    body: (practice) => [
      `That’s completely fine. If you confirm, ${practice} won’t send you any messages for the next three months (90 days).`,
      'You can of course book a session at any time, whenever you wish.',
    ],
    button: 'Confirm a three-month pause',
  },
  laterDone: {
    title: 'All set',
    body: (practice, until) => `You won’t receive any messages from ${practice} before ${until}.`,
    bookLead: 'If you would like to book a session in the meantime, the door is always open:',
    closing: 'Take care.',
  },
  feedbackForm: {
    title: 'Your feedback matters',
    intro: (practice) => `Thank you for taking two minutes to tell us how your care at ${practice} went.`,
    answeredBefore:
      'You have already answered: if you send this form, your new answer will replace the previous one.',
    legend: 'Overall, how did your care go?',
    ratings: {
      1: '1 – Not well at all',
      2: '2 – Not very well',
      3: '3 – Okay',
      4: '4 – Well',
      5: '5 – Very well',
    },
    commentLabel: 'Anything you would like to add? (optional)',
    commentHint: 'Up to 2,000 characters. Your message will be read by the practice team.',
    button: 'Send my feedback',
    summaryTitle: 'Your feedback could not be sent yet',
    ratingMissing: 'Choose a rating from 1 to 5.',
    ratingInvalid: 'Choose a rating from 1 to 5 among the options shown.',
    commentTooLong: (length) =>
      `Your message is ${length.toLocaleString('en-GB')} characters long, and the limit is 2,000: please shorten it a little.`,
    errorPrefix: 'Error: ',
  },
  feedbackThanks: {
    title: 'Thank you for your feedback',
    body: (practice) =>
      `Your feedback has been recorded. It helps the whole team at ${practice} better support the people they see.`,
    replaced: 'It replaces your previous answer.',
    bookLead: 'And if you would like to book another session, the door is always open:',
  },
  unsubscribeConfirm: {
    title: 'Stop receiving these messages',
    body: (practice) => [
      `You will no longer receive follow-up messages from ${practice} (check-ins, resources, invitations to book again).`,
      'This does not affect your appointments or your conversations with your therapist.',
    ],
    button: 'Unsubscribe',
  },
  unsubscribeDone: {
    title: 'You have been unsubscribed',
    body: (practice) => `You will no longer receive follow-up messages from ${practice}.`,
    changeMind: 'If you change your mind, just let the practice know.',
    bookLead: 'And if you ever wish to book a session, the door is always open:',
  },
  bookUnavailable: {
    title: 'Book a session',
    body: (practice) =>
      `Online booking is not available at the moment. To arrange a session, simply reply to the email or contact ${practice}.`,
  },
  expired: {
    title: 'This link has expired',
    why: 'To protect your information, the links in our emails are only valid for 90 days.',
    bookLead: 'You can still book a session here:',
    later: 'If you would rather not receive messages for a while, simply reply to the email to let us know.',
    other: (practice) =>
      `If you would like to answer, simply reply to the email or contact ${practice ?? 'the practice'}.`,
  },
  invalid: {
    title: 'This link does not work',
    body: 'It may be incomplete, or it may have been changed. Try opening the link from the email again, or simply reply to the email and we will take care of it.',
  },
  unknown: {
    title: 'We cannot find this message',
    body: 'This link does not match any message we can find (it may be very old). If you have any question, simply reply to the email or contact the practice.',
  },
  unreadable: {
    title: 'This form could not be read',
    body: 'Please go back to the previous page and try again.',
  },
  tooLarge: {
    title: 'This form is too long',
    body: 'What you sent is larger than we can accept. Please shorten your message and try again.',
  },
  notAllowed: {
    title: 'This request is not possible here',
    body: 'Please open the link directly from the email.',
  },
  unavailable: {
    title: 'A temporary technical problem',
    body: 'We could not handle your request. Please try again in a few minutes.',
  },
  unsubscribeOtherWay:
    'To stop receiving our messages, you can also reply to the email and ask us, or contact the practice directly: we will stop sending them.',
};

export const WORDING: Record<Locale, Wording> = { fr, en };

/** A practice-local date in words: « 1er avril 2027 », “1 April 2027”. */
export function longDate(iso: string, locale: Locale, timeZone: string): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: zone,
    }).formatToParts(new Date(iso));
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = format(timeZone);
  } catch {
    parts = format('UTC'); // an unknown zone name must not cost the patient their confirmation page
  }
  // No-break spaces keep "20 mai 2027" on one line.
  return parts
    .map((part) => (locale === 'fr' && part.type === 'day' && part.value === '1' ? '1er' : part.value))
    .map((value) => value.replace(/ /g, '\u00a0'))
    .join('');
}
