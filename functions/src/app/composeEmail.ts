// Builds the render context, the signed links and the headers of one outreach email.

import { resourceFor } from '../core/cadence';
import type { OutreachRow, Patient, Practice, Therapist } from '../core/model';
import type { EmailLinks, OutgoingEmail, RenderContext, RenderedEmail } from '../core/ports';
import { issueToken, type LinkAction, type SigningKey } from '../core/tokens';
import { describeSinceLastVisit } from '../core/wording';

export function buildLinks(
  links: { publicBaseUrl: string; keys: SigningKey[] },
  practiceId: string,
  row: OutreachRow,
  now: Date,
): EmailLinks {
  const key = links.keys[0];
  if (!key) throw new TypeError('at least one link-signing key is required');
  const url = (action: LinkAction) => {
    const token = issueToken({ practiceId, outreachRef: row.operationId, action }, key, now);
    return action === 'unsubscribe'
      ? `${links.publicBaseUrl}/api/unsubscribe/${token}`
      : `${links.publicBaseUrl}/api/r/${token}`;
  };
  return {
    book: url('book'),
    later: url('later'),
    unsubscribe: url('unsubscribe'),
    feedback: row.templateId === 'feedback' ? url('feedback') : null,
  };
}

export function buildRenderContext(
  practice: Practice,
  therapist: Therapist | null,
  patient: Patient,
  row: OutreachRow,
  links: EmailLinks,
  now: Date,
): RenderContext {
  const clinical = practice.allowClinicalDetails;
  return {
    locale: row.locale,
    patient: { firstName: patient.firstName },
    therapist: {
      displayName: therapist?.displayName ?? practice.name,
      signature: therapist?.signature || null,
    },
    practice: { name: practice.name, bookingUrl: practice.bookingUrl },
    sinceLastVisit: describeSinceLastVisit(patient.lastVisitAt, now, row.locale),
    progressNote: clinical ? patient.progressNote : null,
    planSummary: clinical ? (patient.plan?.summary ?? null) : null,
    resource: row.templateId === 'resource' ? resourceFor(practice, patient) : null,
    season: row.campaign === 'seasonal' ? (row.episodeKey.split(':')[1] ?? null) : null,
    links,
  };
}

export function buildEmail(
  practice: Practice,
  therapist: Therapist | null,
  patient: Patient,
  row: OutreachRow,
  rendered: RenderedEmail,
  links: EmailLinks,
): OutgoingEmail {
  const from = therapist
    ? `${therapist.displayName} · ${practice.senderDisplayName}`
    : practice.senderDisplayName;
  return {
    from: { address: practice.senderAddress, displayName: from },
    to: { address: patient.email ?? '', displayName: patient.firstName },
    replyTo: therapist?.email ? { address: therapist.email, displayName: therapist.displayName } : null,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: {
      'List-Unsubscribe': `<${links.unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Reengage-Template': row.templateId,
      'X-Reengage-Outreach': row.operationId,
    },
  };
}
