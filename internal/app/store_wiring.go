package app

import (
	"errors"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
	"github.com/gmailsend/gmailsend/internal/sender"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
)

// wireStore gives the sender the message table when MESSAGES_TABLE is
// set, with the fingerprint key FINGERPRINT_KEY_SECRET names (read from
// secrets on the first durable send). Nothing connects here: the SDK is
// configured on the first send. It returns the table (nil without one)
// for the other use cases kept in it (webhook_wiring.go).
func wireStore(s *sender.Sender, cfg Config, parts Parts, secrets credential.SecretFetcher) (*dynamostore.Table, error) {
	if cfg.MessagesTable == "" {
		return nil, nil
	}
	keys := parts.FingerprintKey
	if keys == nil {
		if cfg.FingerprintKeySecret == "" {
			// Without a key the table's fingerprints could be brute-forced
			// for what the requests said: refuse to run rather than write them.
			return nil, errors.New("app: configuration: FINGERPRINT_KEY_SECRET is required with MESSAGES_TABLE (the template creates the secret)")
		}
		keys = &gmailsend.SecretKey{Fetch: secrets, ID: cfg.FingerprintKeySecret}
	}
	var table *dynamostore.Table
	if parts.DynamoDB != nil {
		table = dynamostore.NewWithAPI(cfg.MessagesTable, parts.DynamoDB)
	} else {
		table = dynamostore.New(cfg.MessagesTable)
	}
	s.Records = table
	if cfg.Bounces.CheckSuppressions {
		s.Suppressions = table // the bounce reader's list (bounce_config.go)
	}
	s.SuppressionEdits = table
	wireTemplates(s, cfg, table) // template_wiring.go
	s.Durability = sender.DefaultDurability()
	s.Durability.Retention, s.Durability.KeyTTL = cfg.MessageRetention, cfg.IdempotencyTTL
	s.Durability.Quota = &gmailsend.Guard{Buckets: table}
	s.Durability.Limits = gmailsend.QuotaLimits{Messages: cfg.DailyMessageLimit, Recipients: cfg.DailyRecipientLimit}
	s.Durability.Fingerprints = keys
	return table, nil
}

// postponer holds queue records the quota guard refused until their retry
// time; the guard exists only with the table.
func postponer(cfg Config, parts Parts) lambdahandler.RecordPostponer {
	if cfg.MessagesTable == "" {
		return nil
	}
	if parts.SQSVisibility != nil {
		return sqsqueue.NewVisibilityWithAPI(parts.SQSVisibility)
	}
	return sqsqueue.NewVisibility()
}
