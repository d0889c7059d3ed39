package webhooks_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

func codeOf(err error) gmailsend.Code { return gmailsend.CodeOf(err) }

// TestRegistryIsScopedPerCaller ensures caller B never lists, reads, rotates, tests or deletes caller A's endpoint (each answers webhook_not_found, as an unknown id does) while A does all of them.
func TestRegistryIsScopedPerCaller(t *testing.T) {
	w := newWorld(t)
	ctx := ctxT(t)
	a := w.create(t, "key-a", "message.sent", "message.bounced", "message.sent")
	if !strings.HasPrefix(a.Secret, "whsec_") || !a.Enabled || len(a.Events) != 2 {
		t.Fatalf("created %+v", a)
	}
	if list, err := w.registry.List(ctx, "key-b"); err != nil || len(list) != 0 {
		t.Fatalf("B lists %v %v", list, err)
	}
	if _, err := w.registry.Get(ctx, "key-b", a.ID); codeOf(err) != gmailsend.CodeWebhookNotFound {
		t.Fatalf("B reads A's endpoint: %v", err)
	}
	if _, err := w.registry.Rotate(ctx, "key-b", a.ID); codeOf(err) != gmailsend.CodeWebhookNotFound {
		t.Fatalf("B rotates A's endpoint: %v", err)
	}
	if _, err := w.registry.Test(ctx, "key-b", a.ID); codeOf(err) != gmailsend.CodeWebhookNotFound {
		t.Fatalf("B tests A's endpoint: %v", err)
	}
	if err := w.registry.Delete(ctx, "key-b", a.ID); codeOf(err) != gmailsend.CodeWebhookNotFound {
		t.Fatalf("B deletes A's endpoint: %v", err)
	}
	got, err := w.registry.Get(ctx, "key-a", a.ID)
	if err != nil || got.URL != a.URL || got.ID != a.ID {
		t.Fatalf("A reads %+v %v", got, err)
	}
	id, err := w.registry.Test(ctx, "key-a", a.ID)
	if err != nil || len(w.queue.ds) != 1 || w.queue.ds[0].Event.ID != id || w.queue.ds[0].Event.Type != gmailsend.EventWebhookTest ||
		w.queue.ds[0].Endpoint != a.ID || w.queue.ds[0].Caller != "key-a" {
		t.Fatalf("test event %s %v, queued %+v", id, err, w.queue.ds)
	}
	if err := w.registry.Delete(ctx, "key-a", a.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.registry.Delete(ctx, "key-a", a.ID); codeOf(err) != gmailsend.CodeWebhookNotFound {
		t.Fatalf("second delete: %v", err)
	}
	if list, _ := w.registry.List(ctx, "key-a"); len(list) != 0 {
		t.Fatalf("deleted endpoint still listed: %v", list)
	}
}

// TestEndpointLimit ensures an API key may hold MaxEndpoints endpoints, the next is webhook_limit, another key is unaffected, and a delete frees a place.
func TestEndpointLimit(t *testing.T) {
	w := newWorld(t)
	var first string
	for i := 0; i < webhooks.MaxEndpoints; i++ {
		e := w.create(t, "key-a")
		if first == "" {
			first = e.ID
		}
	}
	ctx := ctxT(t)
	in := webhooks.CreateInput{URL: w.receiver.srv.URL}
	if _, err := w.registry.Create(ctx, "key-a", in); codeOf(err) != gmailsend.CodeWebhookLimit {
		t.Fatalf("11th endpoint: %v", err)
	}
	if _, err := w.registry.Create(ctx, "key-b", in); err != nil {
		t.Fatalf("another key: %v", err)
	}
	if err := w.registry.Delete(ctx, "key-a", first); err != nil {
		t.Fatal(err)
	}
	if _, err := w.registry.Create(ctx, "key-a", in); err != nil {
		t.Fatalf("after a delete: %v", err)
	}
}

// TestEndpointLimitHoldsUnderConcurrency ensures twenty registrations of one API key at once, against dynalite, end in exactly MaxEndpoints endpoints (each in its own slot) and webhook_limit for the rest: the limit is a conditional write, not a count read before it.
func TestEndpointLimitHoldsUnderConcurrency(t *testing.T) {
	w := newWorld(t)
	ctx := ctxT(t)
	const tries = 2 * webhooks.MaxEndpoints
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.registry.Create(ctx, "key-a", webhooks.CreateInput{URL: w.receiver.srv.URL})
		}()
	}
	wg.Wait()
	ok, limited := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case codeOf(err) == gmailsend.CodeWebhookLimit:
			limited++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if ok != webhooks.MaxEndpoints || limited != tries-webhooks.MaxEndpoints {
		t.Fatalf("%d registered, %d limited; want %d and %d", ok, limited, webhooks.MaxEndpoints, tries-webhooks.MaxEndpoints)
	}
	list, err := w.registry.List(ctx, "key-a")
	if err != nil || len(list) != webhooks.MaxEndpoints {
		t.Fatalf("listed %d, %v", len(list), err)
	}
	slots := map[int]bool{}
	for _, e := range list {
		s, _ := webhooks.SlotOf(e.ID)
		slots[s] = true
	}
	if len(slots) != webhooks.MaxEndpoints {
		t.Fatalf("%d distinct slots", len(slots))
	}
}

// resolver answers names from a map, as DNS would.
type resolver map[string]string

func (r resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	a, ok := r[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	return []netip.Addr{netip.MustParseAddr(a)}, nil
}

// TestRegistrationRefusesAddressClasses ensures a URL is refused at registration, as webhook_url_refused on field "url" naming the refused class, for every class the guard knows (also behind a name), plain http and userinfo — without loopback allowed — and never echoes the URL's query; an https URL of a public address is accepted.
func TestRegistrationRefusesAddressClasses(t *testing.T) {
	w := newWorld(t)
	w.registry.URLs = standardwebhooks.URLPolicy{Resolver: resolver{"public.example": "93.184.216.34", "inside.example": "10.1.2.3"}}
	cases := map[string]standardwebhooks.Code{
		"http://public.example/h":          standardwebhooks.CodeURLScheme,
		"ftp://public.example/h":           standardwebhooks.CodeURLScheme,
		"https://u:p@public.example/h":     standardwebhooks.CodeURLUserinfo,
		"https://127.0.0.1/h":              standardwebhooks.CodeAddrLoopback,
		"https://[::1]/h":                  standardwebhooks.CodeAddrLoopback,
		"https://10.0.0.8/h":               standardwebhooks.CodeAddrPrivate,
		"https://inside.example/h":         standardwebhooks.CodeAddrPrivate,
		"https://192.168.1.1/h":            standardwebhooks.CodeAddrPrivate,
		"https://100.64.0.1/h":             standardwebhooks.CodeAddrCGNAT,
		"https://169.254.169.254/latest":   standardwebhooks.CodeAddrLinkLocal,
		"https://[fd00::1]/h":              standardwebhooks.CodeAddrUniqueLocal,
		"https://0.0.0.0/h":                standardwebhooks.CodeAddrUnspecified,
		"https://224.0.0.1/h":              standardwebhooks.CodeAddrMulticast,
		"https://255.255.255.255/h":        standardwebhooks.CodeAddrBroadcast,
		"https://240.0.0.1/h":              standardwebhooks.CodeAddrReserved,
		"https://nowhere.example/h":        standardwebhooks.CodeResolveFailed,
		"https://[::ffff:127.0.0.1]/h":     standardwebhooks.CodeAddrLoopback,
		"https://[64:ff9b::a00:1]/h?k=zz9": standardwebhooks.CodeAddrPrivate,
	}
	for u, class := range cases {
		_, err := w.registry.Create(ctxT(t), "key-a", webhooks.CreateInput{URL: u + "?token=s3cr3t"})
		e := gmailsend.AsError(err)
		if e == nil || e.Code != gmailsend.CodeWebhookURLRefused || e.Field != "url" || !strings.Contains(e.Message, string(class)) {
			t.Errorf("%s: %v, want webhook_url_refused naming %s", u, err, class)
			continue
		}
		if strings.Contains(e.Message, "s3cr3t") || strings.Contains(e.Message, "zz9") {
			t.Errorf("%s: the message repeats the query: %s", u, e.Message)
		}
	}
	if _, err := w.registry.Create(ctxT(t), "key-a", webhooks.CreateInput{URL: "https://public.example/h"}); err != nil {
		t.Fatalf("public https URL: %v", err)
	}
	bad := []webhooks.CreateInput{
		{URL: "https://public.example/h", Events: []string{"webhook.test"}},
		{URL: "https://public.example/h", Events: []string{"message.exploded"}},
		{URL: "https://public.example/h", Description: strings.Repeat("é", webhooks.MaxDescription+1)},
		{URL: ""},
	}
	for _, in := range bad {
		if _, err := w.registry.Create(ctxT(t), "key-a", in); codeOf(err) != gmailsend.CodeInvalidRequest {
			t.Errorf("%+v: %v, want invalid_request", in, err)
		}
	}
	if _, err := w.registry.Create(ctxT(t), "key-a", webhooks.CreateInput{URL: "https://public.example/h", Description: strings.Repeat("é", webhooks.MaxDescription)}); err != nil {
		t.Errorf("a description of exactly %d characters: %v", webhooks.MaxDescription, err)
	}
	if _, err := w.registry.Create(ctxT(t), "", webhooks.CreateInput{URL: "https://public.example/h"}); codeOf(err) != gmailsend.CodeForbidden {
		t.Errorf("no API key: %v", err)
	}
}

// TestSecretsAreSealedAtRest ensures no signing secret is stored in clear (a scan of the whole table finds no "whsec_" nor the secret's key bytes), and a ciphertext copied onto another endpoint's item does not open there: that endpoint neither delivers nor rotates with it.
func TestSecretsAreSealedAtRest(t *testing.T) {
	w := newWorld(t)
	ctx := ctxT(t)
	a, b := w.create(t, "key-a"), w.create(t, "key-a")
	rot, err := w.registry.Rotate(ctx, "key-a", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"whsec_", a.Secret[len("whsec_"):], b.Secret[len("whsec_"):], rot.Secret[len("whsec_"):]}
	if n := dynalite.CheckNoSecrets(t, w.client, "messages", secrets); n != 2 {
		t.Fatalf("scanned %d items, want 2", n)
	}
	// CheckNoSecrets reads binary attributes as numbers: look at their
	// bytes too, for the secrets and for the keys they encode.
	scan, err := w.client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("messages")})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range scan.Items {
		raw := it["secrets"].(*types.AttributeValueMemberB).Value
		for _, s := range []string{a.Secret, b.Secret, rot.Secret} {
			k, _ := base64.StdEncoding.DecodeString(s[len("whsec_"):])
			if bytes.Contains(raw, []byte("whsec_")) || bytes.Contains(raw, k[:8]) || bytes.Contains(raw, []byte(s[6:20])) {
				t.Fatalf("a secret is readable in the stored ciphertext")
			}
		}
	}
	item, err := w.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("messages"), Key: key("key-a", a.ID)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("messages"), Key: key("key-a", b.ID),
		UpdateExpression: aws.String("SET secrets = :s"), ExpressionAttributeValues: map[string]types.AttributeValue{":s": item.Item["secrets"]}})
	if err != nil {
		t.Fatal(err)
	}
	res := w.deliverer.Deliver(ctx, job("key-a", b.ID, "evt_moved"), 1)
	if res.Action != webhooks.GiveUp || res.Reason != "unavailable" || len(w.receiver.arrivals()) != 0 {
		t.Fatalf("delivery with a moved ciphertext: %+v, %d arrivals", res, len(w.receiver.arrivals()))
	}
	if _, err := w.registry.Rotate(ctx, "key-a", b.ID); err == nil {
		t.Fatal("rotated with a moved ciphertext")
	}
	if res := w.deliverer.Deliver(ctx, job("key-a", a.ID, "evt_own"), 1); res.Action != webhooks.Done || res.Reason != "delivered" {
		t.Fatalf("the ciphertext's own endpoint: %+v", res)
	}
}

// TestEnableAfterGone ensures an endpoint its receiver disabled with 410 Gone refuses test events (webhook_disabled) until its owner enables it, which clears disabledReason and keeps the secret (the next delivery verifies with the one the receiver has); another key cannot enable it, and enabling an enabled endpoint changes nothing.
func TestEnableAfterGone(t *testing.T) {
	w := newWorld(t)
	ctx := ctxT(t)
	e := w.create(t, "key-a")
	w.receiver.answer(410)
	if res := w.deliverer.Deliver(ctx, job("key-a", e.ID, "evt_1"), 1); res.Reason != webhooks.ReasonGone {
		t.Fatalf("410: %+v", res)
	}
	if _, err := w.registry.Test(ctx, "key-a", e.ID); codeOf(err) != gmailsend.CodeWebhookDisabled {
		t.Fatalf("test while disabled: %v", err)
	}
	if _, err := w.registry.Enable(ctx, "key-b", e.ID); codeOf(err) != gmailsend.CodeWebhookNotFound {
		t.Fatalf("another key enables it: %v", err)
	}
	got, err := w.registry.Enable(ctx, "key-a", e.ID)
	if err != nil || !got.Enabled || got.DisabledReason != "" || got.ID != e.ID {
		t.Fatalf("enable: %+v %v", got, err)
	}
	stored, err := w.registry.Get(ctx, "key-a", e.ID)
	if err != nil || !stored.Enabled || stored.DisabledReason != "" || len(stored.Failures) != 1 {
		t.Fatalf("after enable: %+v %v", stored, err)
	}
	w.receiver.answer(200)
	if res := w.deliverer.Deliver(ctx, job("key-a", e.ID, "evt_2"), 1); res.Reason != "delivered" {
		t.Fatalf("delivery after enable: %+v", res)
	}
	arrived := w.receiver.arrivals()
	if last := arrived[len(arrived)-1]; last.ID != "evt_2" || !last.signedBy(t, e.Secret) {
		t.Fatalf("not signed with the secret the receiver kept: %+v", last)
	}
	if again, err := w.registry.Enable(ctx, "key-a", e.ID); err != nil || !again.Enabled {
		t.Fatalf("enable twice: %+v %v", again, err)
	}
}
