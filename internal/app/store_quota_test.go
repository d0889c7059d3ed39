package app_test

import (
	"encoding/json"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

// TestQuotaGuardStopsAtTheLimit ensures with a daily limit of 5 messages, 7 sends deliver 5 and answer quota_exceeded (429) twice with a retryAfterSeconds within the 24-hour window and the Retry-After header.
func TestQuotaGuardStopsAtTheLimit(t *testing.T) {
	h := newHarness(t, setup{Store: true, Config: func(c *app.Config) { c.DailyMessageLimit = 5 }})
	var exceeded []events.APIGatewayProxyResponse
	for i := 0; i < 7; i++ {
		resp := h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", "")
		if resp.StatusCode == 429 {
			exceeded = append(exceeded, resp)
		} else if resp.StatusCode != 200 {
			t.Fatalf("send %d: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	if n := len(h.srv.Messages()); n != 5 || len(exceeded) != 2 {
		t.Fatalf("%d delivered, %d refused; want 5 and 2", n, len(exceeded))
	}
	for _, resp := range exceeded {
		var b struct {
			Error struct {
				Code              string `json:"code"`
				RetryAfterSeconds int    `json:"retryAfterSeconds"`
			} `json:"error"`
		}
		_ = json.Unmarshal([]byte(resp.Body), &b)
		header, _ := strconv.Atoi(resp.Headers["Retry-After"])
		if b.Error.Code != "quota_exceeded" || b.Error.RetryAfterSeconds <= 0 || b.Error.RetryAfterSeconds > 24*3600 || header != b.Error.RetryAfterSeconds {
			t.Fatalf("refusal %v %s", resp.Headers, resp.Body)
		}
	}
	// Another account has its own quota.
	if resp := h.postSend(t, storeRequest(fixture.User2, "kim@example.com", nil), "key-a", ""); resp.StatusCode != 200 {
		t.Fatalf("other account: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestQuotaCountsRecipients ensures the recipient limit counts To+Cc+Bcc, and a send refused before delivery gives its reservation back.
func TestQuotaCountsRecipients(t *testing.T) {
	h := newHarness(t, setup{Store: true, Config: func(c *app.Config) { c.DailyRecipientLimit = 3 }})
	two := storeRequest(fixture.User, "kim@example.com", map[string]any{"cc": "lee@example.com"})
	if resp := h.postSend(t, two, "key-a", ""); resp.StatusCode != 200 {
		t.Fatalf("first: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := h.postSend(t, two, "key-a", ""); resp.StatusCode != 429 {
		t.Fatalf("second (4 recipients > 3): %d %s", resp.StatusCode, resp.Body)
	}
	wrong := storeRequest(fixture.User, "kim@example.com", map[string]any{"password": "wrongwrongwrongw"})
	if resp := h.postSend(t, wrong, "key-a", ""); resp.StatusCode != 401 {
		t.Fatalf("wrong password: %d %s", resp.StatusCode, resp.Body)
	}
	// The refused AUTH gave its one recipient back, so one still fits.
	if resp := h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", ""); resp.StatusCode != 200 {
		t.Fatalf("last recipient: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestGmailLimitBlocksWithoutConnecting ensures after Gmail answers 550 5.4.5 the account's later sends fail fast with rate_limited without opening a connection, and another account still sends.
func TestGmailLimitBlocksWithoutConnecting(t *testing.T) {
	var refused atomic.Bool
	h := newHarness(t, setup{Store: true, Config: func(c *app.Config) { c.SMTPIdleTimeout = 0 }, SMTP: devsmtp.Options{Reject: func(stage, arg string) error {
		if stage == "MAIL" && arg == fixture.User && refused.CompareAndSwap(false, true) {
			return &gosmtpError550545
		}
		return nil
	}}})
	first := h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", "")
	if first.StatusCode != 429 || decodeBody[errBody](t, first).Error.Code != "rate_limited" {
		t.Fatalf("first: %d %s", first.StatusCode, first.Body)
	}
	conns := h.srv.Stats().Connections
	start := time.Now()
	second := h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", "")
	if second.StatusCode != 429 || decodeBody[errBody](t, second).Error.Code != "rate_limited" || second.Headers["Retry-After"] == "" {
		t.Fatalf("second: %d %s", second.StatusCode, second.Body)
	}
	if h.srv.Stats().Connections != conns {
		t.Fatal("the blocked account connected to the server")
	}
	t.Logf("blocked send answered in %v without connecting", time.Since(start))
	if resp := h.postSend(t, storeRequest(fixture.User2, "kim@example.com", nil), "key-a", ""); resp.StatusCode != 200 {
		t.Fatalf("other account: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestAllowedCallers ensures a stored credential with allowedCallers refuses another API key (403 forbidden) and its own, while the queue (IAM) sends with it.
func TestAllowedCallers(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	h.secrets.Put("gmailsend/desk", `{"user":"`+fixture.User+`","password":"`+fixture.Password+`","allowedCallers":["key-a"]}`)
	body := `{"credential":"desk","toEmail":"kim@example.com","subject":"` + subjectMarker + `","message":"` + bodyMarker + `"}`
	if resp := h.postSend(t, body, "key-a", ""); resp.StatusCode != 200 {
		t.Fatalf("allowed key: %d %s", resp.StatusCode, resp.Body)
	}
	other := h.postSend(t, body, "key-b", "")
	if e := decodeBody[errBody](t, other); other.StatusCode != 403 || e.Error.Code != "forbidden" {
		t.Fatalf("other key: %d %s", other.StatusCode, other.Body)
	}
	out, err := h.invoke(t, fixture.SQSEvent(t, body))
	if b, _ := json.Marshal(out); err != nil || string(b) != `{"batchItemFailures":[]}` {
		t.Fatalf("queue: %s %v", b, err)
	}
	if n := len(h.srv.Messages()); n != 2 {
		t.Fatalf("%d delivered, want 2", n)
	}
}
