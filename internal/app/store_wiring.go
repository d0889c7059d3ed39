package app

import (
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
	"github.com/gmailsend/gmailsend/internal/sender"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
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
	wireTemplates(s, cfg, table) // template_wiring.go
	s.Durability = sender.DefaultDurability()
	s.Durability.Retention, s.Durability.KeyTTL = cfg.MessageRetention, cfg.IdempotencyTTL
	s.Durability.Quota = &store.Guard{Buckets: table}
	s.Durability.Limits = store.Limits{Messages: cfg.DailyMessageLimit, Recipients: cfg.DailyRecipientLimit}
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
