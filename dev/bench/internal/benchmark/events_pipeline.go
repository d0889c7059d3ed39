package benchmark

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// eventsPipeline is the whole status events loop of one measurement, as
// functions/events' tests run it: the real send function and the real
// events function under the local Runtime API, over a fresh dynalite
// table seen through the stream stand-in (devstack.StartEventsTuned), a
// webhook registered by the send function's POST /webhooks, and a
// receiver on loopback. Every AWS call of both functions goes through a
// proxy that delays it by the simulated round trip and counts it.
type eventsPipeline struct {
	ms        *devstack.MessageStore
	ev        *devstack.Events
	send      *runtimeapi.Function
	sendAWS   awsProxies // the send function's AWS endpoints
	eventsAWS awsProxies // the events function's
	hook      *webhookReceiver
}

// startEventsPipeline starts it with the send function delivering to t
// and the stream's batching window set by window (0: the template's,
// negative: none).
func startEventsPipeline(ctx context.Context, cfg Config, bootstrap string, st *devstack.Stack, t target, window time.Duration) (p *eventsPipeline, err error) {
	p = &eventsPipeline{hook: newWebhookReceiver()}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	var logs io.Writer // the functions' output, shown as run.go shows it
	if len(cfg.BootstrapEnv) > 0 {
		logs = os.Stderr
	}
	if p.ms, err = devstack.StartMessageStore(ctx, cfg.ModuleRoot); err != nil {
		return p, err
	}
	p.ev, err = devstack.StartEventsTuned(ctx, cfg.ModuleRoot, cfg.WorkDir, p.ms.Endpoint(), nil, st.Env(), logs, devstack.EventsTuning{
		StreamBatchingWindow: window,
		FunctionEnv: func(env []string) []string {
			env, p.eventsAWS = delayAWS(append(env, cfg.BootstrapEnv...), cfg.RTT)
			return env
		},
	})
	if err != nil {
		return p, err
	}
	// Limits far above the run, so the quota guard counts but never refuses.
	env := append(append(append(append(st.Env(), p.ms.Env()...), p.ev.SendEnv()...), t.env()...),
		"DAILY_MESSAGE_LIMIT=1000000", "DAILY_RECIPIENT_LIMIT=1000000")
	env, p.sendAWS = delayAWS(append(env, cfg.BootstrapEnv...), cfg.RTT)
	if p.send, err = runtimeapi.StartFunction(ctx, bootstrap, env, nil, logs); err != nil {
		return p, err
	}
	status, body, err := p.call(ctx, "/webhooks", `{"url": "`+p.hook.URL+`/hook", "events": ["message.sent"]}`)
	if err == nil && status != 201 {
		err = fmt.Errorf("benchmark: POST /webhooks answered %d %s", status, body)
	}
	return p, err
}

// call invokes the send function with API Gateway's event for POST path
// (API key "bench") and returns the answer's status and body.
func (p *eventsPipeline) call(ctx context.Context, path, body string) (int, string, error) {
	out, err := p.send.Invoke(ctx, apiEvent(path, body), 30*time.Second)
	if err == nil && out.Err != nil {
		err = out.Err
	}
	if err != nil {
		return 0, "", err
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		return 0, "", fmt.Errorf("benchmark: %s answered %s", path, out.Payload)
	}
	return resp.StatusCode, resp.Body, nil
}

// sendOne is one POST /send of req; it returns the record's id.
func (p *eventsPipeline) sendOne(ctx context.Context, req string) (string, error) {
	status, body, err := p.call(ctx, "/send", req)
	if err != nil {
		return "", err
	}
	var answer struct{ ID, Status string }
	if status != 200 || json.Unmarshal([]byte(body), &answer) != nil || answer.Status != "sent" || answer.ID == "" {
		return "", fmt.Errorf("benchmark: POST /send answered %d %s", status, body)
	}
	return answer.ID, nil
}

// Close stops the functions and the stand-ins.
func (p *eventsPipeline) Close() {
	if p.send != nil {
		p.send.Stop()
	}
	if p.ev != nil {
		p.ev.Close()
	}
	if p.ms != nil {
		p.ms.Close()
	}
	p.sendAWS.Close()
	p.eventsAWS.Close()
	p.hook.Close()
}

// webhookReceiver is the subscriber's endpoint: it notes when each event
// first arrived (an event may arrive twice: delivery is at least once)
// and answers 204 at once.
type webhookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      map[string]delivered // by webhook-id, the first arrival
	repeated int
}

// delivered is one event as the receiver saw it first.
type delivered struct {
	MessageID string
	// Changed is the event's timestamp: the status change's time, the
	// record's updatedAt (milliseconds), set by the send function just
	// before it writes the record.
	Changed time.Time
	Arrived time.Time
}

func newWebhookReceiver() *webhookReceiver {
	h := &webhookReceiver{got: map[string]delivered{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived := time.Now()
		var e struct {
			Timestamp time.Time `json:"timestamp"`
			Data      struct {
				MessageID string `json:"messageId"`
			} `json:"data"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id := r.Header.Get("webhook-id")
		h.mu.Lock()
		if _, seen := h.got[id]; seen {
			h.repeated++
		} else {
			h.got[id] = delivered{MessageID: e.Data.MessageID, Changed: e.Timestamp, Arrived: arrived}
		}
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	return h
}

// count is the distinct events received so far.
func (h *webhookReceiver) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.got)
}

// byMessage is the events received so far by message id.
func (h *webhookReceiver) byMessage() map[string]delivered {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]delivered, len(h.got))
	for _, d := range h.got {
		out[d.MessageID] = d
	}
	return out
}

// wait returns once n distinct events have arrived, or ctx ended.
func (h *webhookReceiver) wait(ctx context.Context, n int) error {
	for h.count() < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("benchmark: %d of %d webhook deliveries received: %w", h.count(), n, ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
	return nil
}
