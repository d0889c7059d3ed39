package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/mailtemplate"
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

// SampleTemplate is the stored template `make run` puts in its table
// (docs/booking.json), for events/template-batch.json.
const SampleTemplate = "booking"

// StoreSampleTemplate stores docs/booking.json of the repository at root
// as the template SampleTemplate, with no API key (the scope of sources
// that have none: SQS, SNS, EventBridge, direct invocations).
func (m *MessageStore) StoreSampleTemplate(ctx context.Context, root string) error {
	raw, err := os.ReadFile(filepath.Join(root, "docs", SampleTemplate+".json"))
	if err != nil {
		return err
	}
	var src mailtemplate.Source
	if err := json.Unmarshal(raw, &src); err != nil {
		return fmt.Errorf("devstack: docs/%s.json: %w", SampleTemplate, err)
	}
	if _, err := mailtemplate.Parse(src); err != nil {
		return fmt.Errorf("devstack: docs/%s.json: %w", SampleTemplate, err)
	}
	table := dynamostore.NewWithAPI(LocalTable, dynalite.NewClient(m.dynamo.Endpoint))
	_, err = table.PutTemplate(ctx, "", &mailtemplate.Template{Name: SampleTemplate, Source: src, CreatedAt: time.Now().UTC()})
	return err
}

// Close stops dynalite.
func (m *MessageStore) Close() { m.dynamo.Close() }
