package app_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/emfcheck"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

// metricLines returns the EMF lines of a log, each checked against the
// specification.
func metricLines(t *testing.T, log string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		if !emfcheck.IsEMF([]byte(l)) {
			continue
		}
		if err := emfcheck.Check([]byte(l), time.Now()); err != nil {
			t.Fatalf("%v\n%s", err, l)
		}
		out = append(out, l)
	}
	return out
}

// anyAddress finds an e-mail address (or its local part glued to @).
var anyAddress = regexp.MustCompile(`[^\s"]*@[^\s"]*`)

// checkSendMetrics asserts one valid EMF line per send with the wanted
// outcomes in order, the account dimension exactly where wanted, and none
// of the secrets, addresses, subjects or bodies anywhere in the lines.
func checkSendMetrics(t *testing.T, log string, outcomes, accounts []string, secrets ...string) {
	t.Helper()
	lines := metricLines(t, log)
	if len(lines) != len(outcomes) {
		t.Fatalf("want %d metric lines, got %d:\n%s", len(outcomes), len(lines), log)
	}
	for i, l := range lines {
		series, err := emfcheck.Decode([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, s := range series {
			all = append(all, s.String())
		}
		joined := strings.Join(all, "\n")
		if !strings.Contains(joined, fmt.Sprintf("Sends 1 Count {Outcome=%s}", outcomes[i])) {
			t.Errorf("line %d: no Sends for outcome %s:\n%s", i, outcomes[i], joined)
		}
		for _, name := range []string{"Duration", "SMTPRoundTrips", "Recipients"} {
			if !strings.Contains(joined, name+" ") {
				t.Errorf("line %d lacks %s", i, name)
			}
		}
		account := accounts[i]
		stored := fmt.Sprintf("StoredCredentialSends 1 Count {Account=%s, Outcome=%s}", account, outcomes[i])
		if account != "" && !strings.Contains(joined, stored) {
			t.Errorf("line %d: want %q in\n%s", i, stored, joined)
		}
		if account == "" && strings.Contains(l, "Account") {
			t.Errorf("line %d has an account dimension for an inline credential: %s", i, l)
		}
		if a := anyAddress.FindString(l); a != "" {
			t.Errorf("line %d holds the address-like %q: %s", i, a, l)
		}
		for _, s := range secrets {
			if strings.Contains(l, s) {
				t.Errorf("line %d holds %q: %s", i, s, l)
			}
		}
	}
}

// content is what must never reach a metric: the password, subject and body of originalRequest.
var content = []string{"abcd efgh", "abcdefghijklmnop", "회의 안내", "10시", "뵙겠습니다", "홍길동"}

// TestMetricsOfRealSends ensures each send, successful or failing in each class before SMTP, at the credential or at the server, writes one EMF line that follows the specification, with its outcome, the stored credential's name as Account only when stored, and no address, subject, body or secret.
func TestMetricsOfRealSends(t *testing.T) {
	wrong := strings.Replace(originalRequest, "abcd efgh ijkl mnop", "wrong password 123", 1)
	stored := `{"credential":"support-desk","toEmail":"kim@example.com","subject":"회의 안내","message":"<p>10시</p>"}`
	reject := func(stage string, err *gosmtp.SMTPError) setup {
		return setup{SMTP: devsmtp.Options{Reject: func(s, _ string) error {
			if s == stage {
				return err
			}
			return nil
		}}}
	}
	rows := []struct {
		name    string
		setup   setup
		secret  string // stored as gmailsend/support-desk when set
		payload string
		outcome string
		account string
	}{
		{name: "sent inline", payload: originalRequest, outcome: "sent"},
		{name: "sent stored", secret: fixture.Password, payload: stored, outcome: "sent", account: "support-desk"},
		{name: "invalid request", payload: strings.Replace(originalRequest, "kim@example.com", "not an address", 1), outcome: "invalid_request"},
		{name: "too large", setup: setup{Config: func(c *app.Config) { c.MaxMessageBytes = 100 }}, payload: originalRequest, outcome: "payload_too_large"},
		{name: "inline refused", setup: setup{Config: func(c *app.Config) { c.AllowInlinePassword = false }}, payload: originalRequest, outcome: "forbidden"},
		{name: "no such credential", payload: stored, outcome: "credential_not_found"},
		{name: "inline password refused", payload: wrong, outcome: "smtp_auth_failed"},
		{name: "stored password refused", secret: "wrong password 123", payload: stored, outcome: "smtp_auth_failed", account: "support-desk"},
		{name: "daily limit", setup: reject("MAIL", &gosmtpError550545), payload: originalRequest, outcome: "rate_limited"},
		{name: "recipient refused", setup: reject("RCPT", &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}), payload: originalRequest, outcome: "smtp_rejected"},
		{name: "server busy", setup: reject("MAIL", &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try later"}), payload: originalRequest, outcome: "smtp_unavailable"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			h := newHarness(t, row.setup)
			if row.secret != "" {
				h.secrets.Put("gmailsend/support-desk", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User, row.secret))
			}
			_, _ = h.invoke(t, []byte(row.payload))
			checkSendMetrics(t, h.log.String(), []string{row.outcome}, []string{row.account}, append(content, "wrong password 123")...)
		})
	}
}

// TestMetricsOfRevokedOAuthGrant ensures a stored OAuth credential whose refresh token stopped working counts as oauth_refresh_failed on its account, which the credential alarm watches.
func TestMetricsOfRevokedOAuthGrant(t *testing.T) {
	h := newHarness(t, setup{OAuth: &devoauth.Client{}})
	h.tokens.Revoke(refreshToken)
	_, _ = h.invoke(t, []byte(oauthRequest))
	checkSendMetrics(t, h.log.String(), []string{"oauth_refresh_failed"}, []string{"oauth-desk"}, refreshToken, clientSecret, "SECRET")
}

// TestMetricsOfABatch ensures every record of an SQS batch has its own metric line with source sqs and its own outcome, and the round trips of a warm send are fewer than the cold one's.
func TestMetricsOfABatch(t *testing.T) {
	h := newHarness(t, setup{})
	bodies := []string{
		fixture.SendRequest(fixture.User, "a@example.com", "first"),
		`{"user":"sender@gmail.com","password":"x","toEmail":"not-an-address","subject":"s","message":"m"}`,
		fixture.SendRequest(fixture.User, "a@example.com", "third"),
	}
	if _, err := h.invoke(t, fixture.SQSEvent(t, bodies...)); err != nil {
		t.Fatal(err)
	}
	log := h.log.String()
	checkSendMetrics(t, log, []string{"sent", "invalid_request", "sent"}, []string{"", "", ""}, fixture.Password)
	lines := metricLines(t, log)
	trips := make([]string, len(lines))
	for i, l := range lines {
		if !strings.Contains(l, `"Source":"sqs"`) {
			t.Fatalf("line %d: %s", i, l)
		}
		trips[i] = regexp.MustCompile(`"SMTPRoundTrips":(\d+)`).FindStringSubmatch(l)[1]
	}
	var cold, invalid, warm int
	fmt.Sscan(trips[0], &cold)
	fmt.Sscan(trips[1], &invalid)
	fmt.Sscan(trips[2], &warm)
	if invalid != 0 || warm == 0 || warm >= cold {
		t.Fatalf("round trips cold %d, invalid %d, warm %d", cold, invalid, warm)
	}
}

// TestMetricsNamespaceSetting ensures METRICS_NAMESPACE sets the namespace of the metric lines, and one CloudWatch would refuse stops the function at start, naming the variable.
func TestMetricsNamespaceSetting(t *testing.T) {
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if k == "METRICS_NAMESPACE" {
				return v, true
			}
			return "", false
		}
	}
	if c, err := app.ParseEnv(env("")); err != nil || c.MetricsNamespace != "gmailsend" {
		t.Fatalf("default: %q %v", c.MetricsNamespace, err)
	}
	for _, bad := range []string{"AWS/Lambda", "has space", "메일"} {
		if _, err := app.ParseEnv(env(bad)); err == nil || !strings.Contains(err.Error(), "METRICS_NAMESPACE") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	h := newHarness(t, setup{Config: func(c *app.Config) { c.MetricsNamespace = "Mail/prod" }})
	_, _ = h.invoke(t, []byte(originalRequest))
	lines := metricLines(t, h.log.String())
	if len(lines) != 1 || !strings.Contains(lines[0], `"Namespace":"Mail/prod"`) {
		t.Fatalf("%q", lines)
	}
}
