package devstack

import (
	"context"
	"fmt"
	"time"

	"github.com/gmailsend/gmailsend/dev/dynalite"
)

// MessageStore is dynalite holding the template's table, the function's
// MESSAGES_TABLE for `make run` (make serve gets it with Queueing).
type MessageStore struct {
	dynamo *dynalite.Server
}

// StartMessageStore starts dynalite from the repository rooted at root and
// creates the table. dynalite.ErrUnavailable means node or the npm package
// is missing: the caller goes on without records.
func StartMessageStore(ctx context.Context, root string) (*MessageStore, error) {
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d, err := dynalite.StartServer(sctx, dynalite.Dir(root), nil)
	if err != nil {
		return nil, err
	}
	if err := dynalite.CreateTable(sctx, dynalite.NewClient(d.Endpoint), dynalite.TemplatePath(root), LocalTable); err != nil {
		d.Close()
		return nil, fmt.Errorf("devstack: creating the local table: %w", err)
	}
	return &MessageStore{dynamo: d}, nil
}

// Env points the function at the table.
func (m *MessageStore) Env() []string {
	return []string{"AWS_ENDPOINT_URL_DYNAMODB=" + m.dynamo.Endpoint, "MESSAGES_TABLE=" + LocalTable}
}

// Endpoint is dynalite's URL.
func (m *MessageStore) Endpoint() string { return m.dynamo.Endpoint }

// Close stops dynalite.
func (m *MessageStore) Close() { m.dynamo.Close() }
