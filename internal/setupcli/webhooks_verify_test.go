package setupcli_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// Two signing secrets, as an endpoint holds them during a rotation.
var (
	currentSecret  = "whsec_" + base64.StdEncoding.EncodeToString([]byte("current-key-of-the-verify-tests"))
	previousSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte("previous-key-of-the-verify-tests"))
)

// signed is a webhook as a sender following the Standard Webhooks
// specification signs it, computed here without package standardwebhooks:
// HMAC-SHA256 under the secret's decoded key of "id.timestamp.body".
func signed(t *testing.T, secret, id string, at time.Time, body string) (timestamp, signature string) {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	timestamp = strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", id, timestamp, body)
	return timestamp, "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// TestWebhooksVerify ensures verify exits 0 and prints "valid" for a body signed by one of the given secrets, and exits 1 with the receiver's code, never "valid", for a tampered body, a wrong secret, a stale or future timestamp and a missing header.
func TestWebhooksVerify(t *testing.T) {
	const id, body = "evt_0123456789abcdef0123456789abcdef", `{"type":"message.sent","data":{"id":"msg_1"}}`
	now := time.Now()
	ts, sig := signed(t, currentSecret, id, now, body)
	staleTS, staleSig := signed(t, currentSecret, id, now.Add(-10*time.Minute), body)
	futureTS, futureSig := signed(t, currentSecret, id, now.Add(10*time.Minute), body)
	_, previousSig := signed(t, previousSecret, id, now, body)
	flags := func(secret, timestamp, signature string) []string {
		return []string{"webhooks", "verify", "--secret", secret, "--id", id, "--timestamp", timestamp, "--signature", signature}
	}
	cases := []struct {
		name  string
		env   map[string]string
		args  []string
		body  string
		code  int
		wants string
	}{
		{"good", nil, flags(currentSecret, ts, sig), body, 0, "valid\n"},
		{"rotation: either secret", nil, append(flags(currentSecret, ts, previousSig), "--secret", previousSecret), body, 0, "valid\n"},
		{"two signatures, one known", nil, flags(currentSecret, ts, "v1,bm90LXRoaXMtb25l "+sig), body, 0, "valid\n"},
		{"secret from the environment", map[string]string{"GMAILSEND_WEBHOOK_SECRET": previousSecret + "," + currentSecret},
			[]string{"webhooks", "verify", "--id", id, "--timestamp", ts, "--signature", sig}, body, 0, "valid\n"},
		{"tampered body", nil, flags(currentSecret, ts, sig), strings.Replace(body, "msg_1", "msg_2", 1), 1, "gmailsend: webhook_no_matching_signature:"},
		{"wrong secret", nil, flags(previousSecret, ts, sig), body, 1, "gmailsend: webhook_no_matching_signature:"},
		{"stale timestamp", nil, flags(currentSecret, staleTS, staleSig), body, 1, "gmailsend: webhook_timestamp_too_old:"},
		{"future timestamp", nil, flags(currentSecret, futureTS, futureSig), body, 1, "gmailsend: webhook_timestamp_too_new:"},
		{"timestamp not seconds", nil, flags(currentSecret, now.Format(time.RFC3339), sig), body, 1, "gmailsend: webhook_bad_timestamp:"},
		{"body gained a newline", nil, flags(currentSecret, ts, sig), body + "\n", 1, "without its final newline"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runCLI(t, c.env, c.body, c.args...)
			if res.code != c.code || !strings.Contains(res.output(), c.wants) {
				t.Fatalf("exit %d, want %d with %q:\n%s", res.code, c.code, c.wants, res.output())
			}
			if c.code != 0 && strings.Contains(res.stdout, "valid") {
				t.Fatalf("a failed check printed %q", res.stdout)
			}
			noSecretIn(t, result{stdout: res.stdout, stderr: res.stderr}, currentSecret, previousSecret)
		})
	}
}

// TestWebhooksVerifyHeaderFile ensures verify reads a captured request's headers (request line, any case, CRLF) from --header-file, and that a header missing there is the receiver's webhook_missing_header while a body inside the file is refused rather than ignored.
func TestWebhooksVerifyHeaderFile(t *testing.T) {
	const id, body = "msg_1-sent", `{"type":"message.sent"}`
	ts, sig := signed(t, currentSecret, id, time.Now(), body)
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(text, "\n", "\r\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	full := write("full", "POST https://hooks.example.com/in HTTP/1.1\nHost: hooks.example.com\nContent-Type: application/json\n"+
		"Webhook-Id: "+id+"\nwebhook-timestamp: "+ts+"\nWEBHOOK-SIGNATURE: "+sig+"\n\n")
	noSignature := write("nosig", "webhook-id: "+id+"\nwebhook-timestamp: "+ts+"\n")
	withBody := write("withbody", "webhook-id: "+id+"\nwebhook-timestamp: "+ts+"\nwebhook-signature: "+sig+"\n\n"+body)
	notHeaders := write("nonsense", "webhook-id: "+id+"\nthis is not a header\n")
	for _, c := range []struct {
		args  []string
		code  int
		wants string
	}{
		{[]string{"--header-file", full}, 0, "valid\n"},
		{[]string{"--header-file", noSignature}, 1, "gmailsend: webhook_missing_header: header webhook-signature is missing"},
		{[]string{"--header-file", withBody}, 2, "pass the body on stdin"},
		{[]string{"--header-file", notHeaders}, 2, "line 2 is not \"Name: value\""},
		{[]string{"--header-file", full, "--id", id}, 2, "give one or the other"},
		{[]string{"--header-file", filepath.Join(dir, "absent")}, 2, "--header-file:"},
	} {
		res := runCLI(t, nil, body, append([]string{"webhooks", "verify", "--secret", currentSecret}, c.args...)...)
		if res.code != c.code || !strings.Contains(res.output(), c.wants) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, res.code, c.code, c.wants, res.output())
		}
	}
}

// TestWebhooksVerifyCommandLine ensures verify refuses a missing or malformed secret and a missing header flag with exit 2, without repeating the secret.
func TestWebhooksVerifyCommandLine(t *testing.T) {
	malformed := "whsec_not*base64*at*all"
	short := "whsec_" + base64.StdEncoding.EncodeToString([]byte("too short"))
	for want, args := range map[string][]string{
		"--secret whsec_… is required":                                     {"webhooks", "verify", "--id", "a", "--timestamp", "1", "--signature", "v1,x"},
		"secret 2 of 2: signing secret is not whsec_":                      {"webhooks", "verify", "--secret", currentSecret, "--secret", malformed, "--id", "a", "--timestamp", "1", "--signature", "v1,x"},
		"secret 1 of 1: signing secret must decode to 24 to 64 bytes":      {"webhooks", "verify", "--secret", short, "--id", "a", "--timestamp", "1", "--signature", "v1,x"},
		"--signature is required (the request's webhook-signature header)": {"webhooks", "verify", "--secret", currentSecret, "--id", "a", "--timestamp", "1"},
		"takes no arguments":                                               {"webhooks", "verify", "--secret", currentSecret, "body.json"},
	} {
		res := runCLI(t, nil, "{}", args...)
		if res.code != setupcli.ExitUsage || !strings.Contains(res.stderr, want) {
			t.Errorf("%q: exit %d:\n%s", want, res.code, res.output())
		}
		noSecretIn(t, res, malformed, short, currentSecret)
	}
}
