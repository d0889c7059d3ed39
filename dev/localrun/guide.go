package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gmailsend/gmailsend/dev/devstack"
)

// serveGuide is what `make serve` prints once it listens: the routes, the
// local API keys, the local AWS endpoints, and one ready-to-paste line per
// gmailsend subcommand against them, so the setup command can be tried
// before any AWS account exists (TestServeGuideLinesRun runs them).
func serveGuide(l *local, base string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nlistening on %s (Ctrl-C stops), every route of template.yaml:\n  %s\n", base, strings.Join(serveRoutes(), "\n  "))
	b.WriteString(devstack.APIKeyTable())
	fmt.Fprintf(&b, "try:\n  curl -X POST %s/send -H 'Content-Type: application/json' -d @events/direct.json\n", base)
	fmt.Fprintf(&b, "  curl -i '%s/suppressions/gone@example.net?credential=support-desk' -H 'x-api-key: %s'\n", base, devstack.APIKeys[0].Value)
	for _, line := range webhookLines(l, base) {
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "\nlocal AWS endpoints: Secrets Manager %s", l.stack.Secrets.URL)
	if l.queue != nil {
		fmt.Fprintf(&b, ", SQS %s, Scheduler %s", l.queue.SQS.URL, l.queue.Scheduler.URL)
	}
	b.WriteString("\nthe gmailsend command against them (from the clone's root, in another terminal):\n")
	for _, line := range gmailsendLines(l, base) {
		b.WriteString("  " + line + "\n")
	}
	return b.String()
}

// gmailsendLines are the shell lines serveGuide prints: the environment
// that points the AWS SDK at the local Secrets Manager, then credentials
// put (the password piped), credentials verify, oauth login with the local
// client file, and send through this server.
func gmailsendLines(l *local, base string) []string {
	smtpFlags := "--smtp-host 127.0.0.1 --smtp-port " + strconv.Itoa(l.stack.SMTP.Port) + " --ca-file " + shown(l.stack.CAFile)
	if l.realSMTP != "" {
		host, port, _ := net.SplitHostPort(l.realSMTP)
		smtpFlags = "--smtp-host " + host + " --smtp-port " + port
	}
	const cmd = "go run ./cmd/gmailsend"
	return []string{
		"export AWS_ENDPOINT_URL_SECRETS_MANAGER=" + l.stack.Secrets.URL + " AWS_REGION=ap-northeast-2 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local",
		fmt.Sprintf("printf '%%s\\n' %s | %s credentials put test-desk --user sender@gmail.com %s",
			devstack.Accounts["sender@gmail.com"], cmd, smtpFlags),
		fmt.Sprintf("%s credentials verify test-desk %s", cmd, smtpFlags),
		fmt.Sprintf("%s oauth login test-oauth --client-secret-file %s %s   # open the URL it prints (or curl it): the local sign-in consents at once",
			cmd, shown(l.stack.ClientSecretFile), smtpFlags),
		fmt.Sprintf("%s send --endpoint %s/send --api-key %s --credential test-desk --to kim@example.com --subject '회의 안내' --html '<p>안녕하세요</p>'",
			cmd, base, devstack.APIKeys[0].Value),
	}
}

// shown is path relative to the working directory when it lies below it
// (.local/ca.pem), else as it is.
func shown(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// webhookLines show the webhook loop when serve runs the receiver: a
// webhook registered on it, then a send to the bounce domain, whose
// message.sent and message.bounced arrive at the receiver, signed.
func webhookLines(l *local, base string) []string {
	if l.receiver == nil {
		return nil
	}
	lines := []string{fmt.Sprintf("webhooks: %s prints each delivery it receives and checks its signature; try:", l.receiver.URL),
		fmt.Sprintf(`  curl -X POST %s/webhooks -H 'x-api-key: %s' -d '{"url": "%s/hook", "events": ["message.sent", "message.bounced"]}'`,
			base, devstack.APIKeys[0].Value, l.receiver.URL)}
	if l.bounceReader != nil {
		lines = append(lines, fmt.Sprintf(`  curl -X POST %s/send -H 'x-api-key: %s' -d '{"credential": "support-desk", "toEmail": "nobody@bounce.test", "subject": "회의 안내", "message": "<p>내일 10시 회의에서 뵙겠습니다.</p>"}'`,
			base, devstack.APIKeys[0].Value))
	}
	return lines
}
