package emf

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
)

// TestCatalogIsWhatIsWritten ensures every metric a writer emits is in the catalog with the same unit and dimension sets, and the reverse.
func TestCatalogIsWhatIsWritten(t *testing.T) {
	w, buf := newWriter(t)
	_ = w.Send(Send{Source: "sqs", Outcome: "sent", Credential: "desk"})
	_ = w.IdempotentReplay("sqs")
	_ = w.QuotaUsed("desk", 1, 10)
	_ = w.Bounces("desk", 1, map[string]int{"not_report": 1})
	_ = w.EventsBatch(StreamBatch{Published: map[gmailsend.EventType]int{gmailsend.EventSent: 1}})
	_ = w.WebhookDelivery(WebhookDelivery{Outcome: "delivered", Attempt: 1, ResponseTime: time.Millisecond, Delivered: true})
	written := map[string]string{}
	for _, l := range lines(t, buf) {
		var doc struct {
			AWS struct {
				CloudWatchMetrics []struct {
					Dimensions [][]string
					Metrics    []Definition
				}
			} `json:"_aws"`
		}
		if err := json.Unmarshal([]byte(l), &doc); err != nil {
			t.Fatal(err)
		}
		for _, d := range doc.AWS.CloudWatchMetrics {
			dims, _ := json.Marshal(d.Dimensions)
			for _, m := range d.Metrics {
				written[m.Name] = string(m.Unit) + " " + string(dims)
			}
		}
	}
	catalog := map[string]string{}
	for _, p := range Catalog() {
		dims, _ := json.Marshal(p.Dimensions)
		catalog[p.Name] = string(p.Unit) + " " + string(dims)
	}
	a, _ := json.Marshal(written)
	b, _ := json.Marshal(catalog)
	if !bytes.Equal(a, b) {
		t.Fatalf("written %s\ncatalog %s", a, b)
	}
}
