package eventsapp

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/emf"
	"github.com/gmailsend/gmailsend/internal/eventbridge"
	"github.com/gmailsend/gmailsend/internal/statusevents"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// Events is the assembled events function.
type Events struct {
	fanout *statusevents.Fanout
	// deliver and postpone run the webhook queue's deliveries
	// (webhooks.go); nil without webhooks.
	deliver  *webhooks.Deliverer
	postpone Postponer
	log      *slog.Logger
	// metrics writes the function's metric lines beside its log lines
	// (metrics.go).
	metrics *emf.Writer
	// now stamps the end of a delivery for its latency; time.Now in
	// production.
	now func() time.Time
}

// Parts replaces the adapters that reach outside the process (tests
// point them at local endpoints); nil fields get the real ones.
type Parts struct {
	App         app.Parts
	EventBridge eventbridge.API
	// WebhookRoots verifies receivers' certificates; nil means the system
	// roots (tests pass their TLS receiver's).
	WebhookRoots *x509.CertPool
}

// Build assembles the events function; nothing touches the network here.
func Build(cfg app.Config, parts Parts) (*Events, error) {
	if cfg.EventBusName == "" && cfg.WebhookQueueURL == "" {
		return nil, errors.New("eventsapp: the events function needs EVENT_BUS_NAME or WEBHOOK_QUEUE_URL")
	}
	f := &statusevents.Fanout{}
	if cfg.EventBusName != "" {
		p := eventbridge.New()
		if parts.EventBridge != nil {
			p = eventbridge.NewWithAPI(parts.EventBridge)
		}
		f.Bus = &eventbridge.Bus{Publisher: p, Name: cfg.EventBusName}
	}
	out := app.LogOutput(parts.App)
	ns := cfg.MetricsNamespace
	if ns == "" {
		ns = emf.DefaultNamespace
	}
	mw, err := emf.New(out, ns)
	if err != nil {
		return nil, err
	}
	e := &Events{fanout: f, log: slog.New(slog.NewJSONHandler(out, nil)), metrics: mw, now: time.Now}
	if err := e.wireWebhooks(cfg, parts); err != nil { // webhooks.go
		return nil, err
	}
	return e, nil
}

// probe is what tells the event sources apart: the first record's source.
type probe struct {
	Records []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
}

// Invoke is the Lambda entry point: a stream batch of the message table,
// or a batch of the webhook queue's deliveries.
func (e *Events) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil || len(p.Records) == 0 {
		return nil, errors.New("eventsapp: not an event this function takes (a DynamoDB stream batch or webhook deliveries)")
	}
	switch p.Records[0].EventSource {
	case "aws:dynamodb":
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		return e.handleStream(ctx, ev), nil
	case "aws:sqs":
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		return e.handleDeliveries(ctx, ev)
	}
	return nil, errors.New("eventsapp: not an event this function takes (a DynamoDB stream batch or webhook deliveries)")
}
