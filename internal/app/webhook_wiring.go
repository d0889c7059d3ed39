package app

import (
	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
	"github.com/gmailsend/gmailsend/internal/sender"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// webhookRegistry is /webhooks's use case over the table (endpoints, their
// sealed secrets) and the webhook queue (test events), when both are
// configured; nil answers those routes store_not_configured. The stored
// credentials an endpoint follows are checked with s's credentials, as
// /suppressions checks them.
func webhookRegistry(cfg Config, parts Parts, table *dynamostore.Table, s *sender.Sender) lambdahandler.WebhookRegistry {
	keys := s.Durability.Fingerprints
	if table == nil || keys == nil || cfg.WebhookQueueURL == "" {
		return nil
	}
	return &webhooks.Registry{
		Store:    table,
		Seal:     &webhooks.KeySealer{Keys: keys},
		Queue:    WebhookQueue(cfg, parts),
		URLs:     standardwebhooks.URLPolicy{AllowLoopback: cfg.WebhookAllowLoopback},
		Accounts: sender.SuppressionsOf(s),
	}
}

// WebhookQueue is the queue of webhook deliveries (WEBHOOK_QUEUE_URL),
// through parts.SQS when set; both functions queue on it.
func WebhookQueue(cfg Config, parts Parts) *sqsqueue.WebhookQueue {
	if parts.SQS != nil {
		return sqsqueue.NewWebhookQueueWithAPI(cfg.WebhookQueueURL, parts.SQS)
	}
	return sqsqueue.NewWebhookQueue(cfg.WebhookQueueURL)
}

// FingerprintKeys is the deployment's fingerprint key: parts' (tests),
// else read from the secret FINGERPRINT_KEY_SECRET names on first use;
// nil when neither is set.
func FingerprintKeys(cfg Config, parts Parts) gmailsend.FingerprintKeys {
	if parts.FingerprintKey != nil {
		return parts.FingerprintKey
	}
	if cfg.FingerprintKeySecret == "" {
		return nil
	}
	secrets, _ := CredentialAdapters(cfg, parts)
	return &gmailsend.SecretKey{Fetch: secrets, ID: cfg.FingerprintKeySecret}
}

var _ webhooks.CredentialAccounts = (*sender.Suppressions)(nil)
