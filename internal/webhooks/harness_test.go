package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
	"github.com/gmailsend/gmailsend/internal/statusevents"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// clock is a time tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// queued records what the registry queues.
type queued struct {
	mu sync.Mutex
	ds []statusevents.Delivery
}

func (q *queued) Enqueue(_ context.Context, ds []statusevents.Delivery) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ds = append(q.ds, ds...)
	return nil
}

// world is a registry and a deliverer over one dynalite table, a clock
// and a TLS receiver on loopback (allowed, as in local runs).
type world struct {
	client    *dynamodb.Client
	table     *dynamostore.Table
	clock     *clock
	registry  *webhooks.Registry
	deliverer *webhooks.Deliverer
	queue     *queued
	receiver  *receiver
}

var testKey = gmailsend.StaticKey([]byte("0123456789abcdef0123456789abcdef"))

func newWorld(t *testing.T) *world {
	t.Helper()
	client, _ := dynalite.StartTable(t, "messages")
	table := dynamostore.NewWithAPI("messages", client)
	clk := &clock{t: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)}
	seal := &webhooks.KeySealer{Keys: testKey}
	rcv := startReceiver(t)
	q := &queued{}
	return &world{
		client: client, table: table, clock: clk, queue: q, receiver: rcv,
		registry: &webhooks.Registry{Store: table, Seal: seal, Queue: q, Now: clk.now,
			URLs: standardwebhooks.URLPolicy{AllowLoopback: true}},
		deliverer: &webhooks.Deliverer{Store: table, Seal: seal, Now: clk.now,
			Client: standardwebhooks.NewClient(standardwebhooks.ClientConfig{AllowLoopback: true, RootCAs: rcv.roots()})},
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// arrival is one request as the receiver got it.
type arrival struct {
	ID, Timestamp string
	Signatures    []string
	Body          []byte
}

// receiver is an HTTPS server that answers with the status it is told
// and keeps what arrived.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	status int
	got    []arrival
}

func startReceiver(t *testing.T) *receiver {
	r := &receiver{status: 200}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, arrival{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
			Signatures: strings.Fields(req.Header.Get("webhook-signature")), Body: body})
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) roots() *x509.CertPool {
	return r.srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
}

func (r *receiver) answer(status int) { r.mu.Lock(); r.status = status; r.mu.Unlock() }

func (r *receiver) arrivals() []arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]arrival(nil), r.got...)
}

// signedBy reports whether a carries a v1 signature made with secret,
// computed here by the specification (HMAC-SHA256 over
// "id.timestamp.body" keyed with the secret's base64-decoded bytes), not
// by the package under test.
func (a arrival) signedBy(t *testing.T, secret string) bool {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(a.ID + "." + a.Timestamp + "."))
	mac.Write(a.Body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range a.Signatures {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

func (w *world) create(t *testing.T, caller string, events ...string) *webhooks.Registered {
	t.Helper()
	e, err := w.registry.Create(ctxT(t), caller, webhooks.CreateInput{URL: w.receiver.srv.URL + "/hook?token=t0ps3cret", Events: events})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func job(caller, endpoint string, id string) statusevents.Delivery {
	return statusevents.Delivery{Caller: caller, Endpoint: endpoint, Event: gmailsend.Event{ID: id, Type: gmailsend.EventSent,
		Timestamp: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC), Data: gmailsend.EventData{MessageID: "m1", APIKeyID: caller}}}
}

// key is the item of endpoint id: its caller's slot the id names, as
// dynamostore keys it (webhooks.go there).
func key(caller, id string) map[string]types.AttributeValue {
	slot, _ := webhooks.SlotOf(id)
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "hook#" + caller},
		"sk": &types.AttributeValueMemberS{Value: fmt.Sprintf("slot#%02d", slot)},
	}
}
