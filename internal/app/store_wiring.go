package app

import (
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/sender"
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
	s.Durability = sender.DefaultDurability()
	s.Durability.Retention, s.Durability.KeyTTL = cfg.MessageRetention, cfg.IdempotencyTTL
}
