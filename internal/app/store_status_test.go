package app_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestStatusWhileSendingThenSent ensures GET /messages/{id} shows sending while the SMTP transaction is under way and sent after it.
func TestStatusWhileSendingThenSent(t *testing.T) {
	hold := make(chan struct{})
	h := newHarness(t, setup{Store: true, SMTP: devsmtp.Options{Reject: func(stage, arg string) error {
		if stage == "MAIL" {
			<-hold
		}
		return nil
	}}})
	id := gmailsend.KeyedID("key-a", "k-status")
	done := make(chan int)
	go func() {
		done <- h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", "k-status").StatusCode
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := h.getMessage(t, id, "key-a")
		if r.StatusCode == 200 && decodeBody[recordBody](t, r).Status == "sending" {
			break
		}
		if time.Now().After(deadline) {
			close(hold)
			t.Fatalf("never saw sending: %d %s", r.StatusCode, r.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(hold)
	if code := <-done; code != 200 {
		t.Fatalf("send answered %d", code)
	}
	if r := decodeBody[recordBody](t, h.getMessage(t, id, "key-a")); r.Status != "sent" {
		t.Fatalf("after the send: %+v", r)
	}
}

// TestDirectGetMessage ensures the direct-invoke form returns a record created without an API key (the queue), and not one created under an API key.
func TestDirectGetMessage(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	if _, err := h.invoke(t, fixture.SQSEvent(t, storeRequest(fixture.User, "kim@example.com", nil))); err != nil {
		t.Fatal(err)
	}
	queued := gmailsend.KeyedID("", "msg-0") // the SQS message id is the record's key
	out, err := h.invoke(t, []byte(`{"action":"getMessage","id":"`+queued+`"}`))
	b, _ := json.Marshal(out)
	var rec recordBody
	if err != nil || json.Unmarshal(b, &rec) != nil || rec.Status != "sent" || rec.Source != "sqs" || rec.ID != queued {
		t.Fatalf("direct lookup: %s %v", b, err)
	}
	api := decodeBody[sentBody](t, h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", ""))
	if _, err := h.invoke(t, []byte(`{"action":"getMessage","id":"`+api.ID+`"}`)); functionErrorType(err) != "message_not_found" {
		t.Fatalf("an API key's record through direct invocation: %v", err)
	}
}
