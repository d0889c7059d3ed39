package app_test

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/emfcheck"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/emf"
)

// seriesOf decodes every metric line of a log into "Name value Unit {dims}" strings.
func seriesOf(t *testing.T, log string) []string {
	t.Helper()
	var out []string
	for _, l := range metricLines(t, log) {
		ss, err := emfcheck.Decode([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ss {
			out = append(out, s.String())
		}
	}
	return out
}

func matching(series []string, prefix string) []string {
	var out []string
	for _, s := range series {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// TestMetricsOfReplays ensures a request answered from its idempotency key's record counts as an IdempotentReplay of its source and not as another send.
func TestMetricsOfReplays(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	body := storeRequest(fixture.User, "kim@example.com", nil)
	for i := 0; i < 2; i++ {
		if resp := h.postSend(t, body, "key-a", "k-1"); resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
	}
	series := seriesOf(t, h.log.String())
	sends := matching(series, "Sends 1 Count {Outcome=")
	replays := matching(series, "IdempotentReplays ")
	if len(sends) != 1 || sends[0] != "Sends 1 Count {Outcome=sent}" ||
		strings.Join(replays, "|") != "IdempotentReplays 1 Count (no dimension)|IdempotentReplays 1 Count {Source=apigateway-rest}" {
		t.Fatalf("sends %q replays %q", sends, replays)
	}
	checkNoContent(t, h.log.String())
}

// TestMetricsOfQuota ensures each reservation publishes the account's use of its daily limit as a percentage, under the guard's hashed account (never the address), up to 100 when it refuses.
func TestMetricsOfQuota(t *testing.T) {
	h := newHarness(t, setup{Store: true, Config: func(c *app.Config) { c.DailyMessageLimit, c.DailyRecipientLimit = 4, 0 }})
	for i := 0; i < 5; i++ {
		h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", "")
	}
	var got []string
	account := regexp.MustCompile(`^QuotaUsedPercent (\d+) Percent \{Account=(addr:[0-9a-f]+)\}$`)
	accounts := map[string]bool{}
	for _, s := range matching(seriesOf(t, h.log.String()), "QuotaUsedPercent ") {
		if m := account.FindStringSubmatch(s); m != nil {
			got = append(got, m[1])
			accounts[m[2]] = true
		}
	}
	if strings.Join(got, ",") != "25,50,75,100,100" || len(accounts) != 1 {
		t.Fatalf("quota use %v for accounts %v", got, accounts)
	}
	if refused := matching(seriesOf(t, h.log.String()), "Sends 1 Count {Outcome=quota_exceeded}"); len(refused) != 1 {
		t.Fatalf("the refused send is not counted: %q", refused)
	}
	checkNoContent(t, h.log.String())
}

// checkNoContent fails if any metric line holds an address, the markers of the store tests' subjects and bodies, or a password.
func checkNoContent(t *testing.T, log string) {
	t.Helper()
	for _, l := range metricLines(t, log) {
		for _, bad := range []string{subjectMarker, bodyMarker, fixture.Password, fixture.User} {
			if strings.Contains(l, bad) {
				t.Fatalf("metric line holds %q: %s", bad, l)
			}
		}
		if a := anyAddress.FindString(l); a != "" {
			t.Fatalf("metric line holds %q: %s", a, l)
		}
	}
}

// TestOperationsAccountCommandsFindTheDimension ensures the two shell commands docs/operations.md gives to find an account's dimension value print what the function really publishes: for a credential name with @, and for the quota guard's account of an address.
func TestOperationsAccountCommandsFindTheDimension(t *testing.T) {
	doc := readDoc(t, "docs/operations.md")
	run := func(cmdTemplate, placeholder, value string) string {
		t.Helper()
		if !strings.Contains(doc, "`"+cmdTemplate+"`") {
			t.Fatalf("docs/operations.md lacks the command %q", cmdTemplate)
		}
		out, err := exec.Command("sh", "-c", strings.Replace(cmdTemplate, placeholder, value, 1)).Output()
		if err != nil {
			t.Skipf("cannot run %q here: %v", cmdTemplate, err)
		}
		return strings.TrimSpace(string(out))
	}
	if got := run("printf %s NAME | sha256sum | cut -c1-12", "NAME", "kim@example.com"); "acct-"+got != emf.Account("kim@example.com") {
		t.Errorf("docs/operations.md's command gives acct-%s, the function publishes %s", got, emf.Account("kim@example.com"))
	}
	if got := run(`printf 'gmailsend-account\0%s' ADDRESS | sha256sum | cut -c1-24`, "ADDRESS", fixture.User); "addr:"+got != gmailsend.AccountOf("", fixture.User) {
		t.Errorf("docs/operations.md's command gives addr:%s, the quota guard counts %s", got, gmailsend.AccountOf("", fixture.User))
	}
}
