#!/bin/sh
# azd postprovision hook: prints what is left to do by hand after `azd provision` (or `azd up`).
# azd passes the environment's values (the Bicep outputs) as environment variables.
set -eu

api_uri="${SERVICE_API_URI:-https://<function app>.azurewebsites.net}"
sender="${AZURE_EMAIL_SENDER_ADDRESS:-}"
custom_domain="${AZURE_EMAIL_CUSTOM_DOMAIN:-}"
custom_linked="${AZURE_EMAIL_CUSTOM_DOMAIN_LINKED:-false}"

cat <<TEXT

Reengage is provisioned.
  Function App      ${api_uri}
  Links in emails   ${PUBLIC_BASE_URL:-$api_uri}
  Default sender    ${sender}
  Send quota        ${EFFECTIVE_ACS_SENDS_PER_MINUTE:-?}/minute, ${EFFECTIVE_ACS_SENDS_PER_HOUR:-?}/hour
  Resource group    ${AZURE_RESOURCE_GROUP:-}

TEXT

if [ -z "$custom_domain" ]; then
  cat <<'TEXT'
Email is sent from the Azure-managed domain (5 emails/minute, 10/hour): fine for a trial, not for a
practice. To send from your own domain:
  azd env set REENGAGE_CUSTOM_EMAIL_DOMAIN mail.example.org
  azd provision            # then publish the DNS records this hook prints

TEXT
elif [ "$custom_linked" != "true" ]; then
  cat <<TEXT
Custom domain ${custom_domain} is created but not yet linked. Publish these DNS records at your
DNS host (type, name, value; names are relative to ${custom_domain}):
TEXT
  records="${AZURE_EMAIL_CUSTOM_DOMAIN_RECORDS:-}"
  if command -v node >/dev/null 2>&1 && [ -n "$records" ]; then
    printf '%s' "$records" | node -e '
      let text = "";
      process.stdin.on("data", (chunk) => { text += chunk; });
      process.stdin.on("end", () => {
        for (const [kind, r] of Object.entries(JSON.parse(text))) {
          console.log(`  ${kind.padEnd(7)} ${r.type} ${r.name} ${r.value}`);
        }
      });'
  else
    printf '  %s\n' "$records"
  fi
  cat <<TEXT
Then verify them (Azure portal: Email Communication Service > Provision domains > ${custom_domain},
or az communication email domain initiate-verification), and once all show Verified:
  azd env set REENGAGE_LINK_CUSTOM_EMAIL_DOMAIN true
  azd provision

TEXT
fi

cat <<TEXT
Next steps (docs/deploy.md has the details):
  1. Deploy the code if you ran only 'azd provision':  azd deploy
  2. Create the first practice through the admin API (routes under ${api_uri}/api/practices/{practiceId}/,
     function key from: az functionapp keys list -g ${AZURE_RESOURCE_GROUP:-<rg>} -n ${AZURE_FUNCTION_APP_NAME:-<app>}).
     Its senderAddress must be on a linked domain, e.g. ${sender:-DoNotReply@<domain>}.
  3. Point the practice's booking tool at its webhook, signed with the practice's webhook secret:
       ${api_uri}/api/webhooks/{source}/{practiceId}     source: generic, calcom, calendly or acuity

TEXT
