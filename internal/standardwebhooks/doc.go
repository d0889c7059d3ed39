// Package standardwebhooks sends outgoing webhooks the way the Standard Webhooks
// specification (standardwebhooks.com) describes them: signing secrets
// (whsec_…), the webhook-id / webhook-timestamp / webhook-signature headers,
// verification for receivers, one guarded HTTPS delivery attempt, and the
// retry schedule between attempts.
//
// The guard matters as much as the signature: a webhook URL is chosen by a
// user, so without it gmailsend would POST wherever it is told, including the
// Lambda's own metadata service and private networks. CheckURL refuses such
// URLs when they are registered and before each attempt, and the dialer
// refuses them again at connect time, because a name may resolve to a public
// address now and to 127.0.0.1 a minute later (DNS rebinding).
//
// It deliberately does not store endpoints, queue attempts or decide which
// events exist: callers own that and import this package, never the reverse.
// It imports no other gmailsend package, so its promises can be read and
// tested here alone.
package standardwebhooks
