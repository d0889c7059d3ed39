package app

import (
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/sender"
	"github.com/gmailsend/gmailsend/internal/store"
)

// wireStore gives the sender the message table when MESSAGES_TABLE is
// set. Nothing connects here: the SDK is configured on the first send.
func wireStore(s *sender.Sender, cfg Config, parts Parts) {
	if cfg.MessagesTable == "" {
		return
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
	s.Durability = sender.DefaultDurability()
	s.Durability.Retention, s.Durability.KeyTTL = cfg.MessageRetention, cfg.IdempotencyTTL
	s.Durability.Quota = &store.Guard{Buckets: table}
	s.Durability.Limits = store.Limits{Messages: cfg.DailyMessageLimit, Recipients: cfg.DailyRecipientLimit}
}
