package app_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// linkedBy is every package (standard library and modules too) a function
// links, as built for Lambda.
func linkedBy(t *testing.T, function string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "./functions/"+function)
	cmd.Dir = fixture.ModuleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./functions/%s: %v", function, err)
	}
	return strings.Fields(string(out))
}

// TestColdStartLinksNoDeadWeight ensures the functions do not link what
// costs start-up time and is never used there: every linked package runs
// its initialisation on every cold start, however lazily its code is
// called. The SDK's config package brings SSO, SSO-OIDC, STS, sign-in and
// IMDS clients with their endpoint tables (package awsenv replaces it);
// the send function reads no bounce notification, so it needs neither
// go-imap nor enmime and its charset tables (packages bounceapp and
// enmimedsn keep them apart). docs/performance.md has the figures.
func TestColdStartLinksNoDeadWeight(t *testing.T) {
	sdkChain := []string{
		"github.com/aws/aws-sdk-go-v2/config",
		"github.com/aws/aws-sdk-go-v2/service/sso",
		"github.com/aws/aws-sdk-go-v2/service/ssooidc",
		"github.com/aws/aws-sdk-go-v2/service/sts",
		"github.com/aws/aws-sdk-go-v2/service/signin",
		"github.com/aws/aws-sdk-go-v2/feature/ec2/imds",
	}
	mail := []string{
		"github.com/emersion/go-imap",
		"github.com/jhillyerd/enmime",
		"github.com/gogs/chardet",
		"github.com/jaytaylor/html2text",
		"golang.org/x/text/encoding",
		"github.com/gmailsend/gmailsend/internal/imapmail",
		"github.com/gmailsend/gmailsend/internal/enmimedsn",
	}
	for function, banned := range map[string][]string{
		"gmailsend": append(append([]string{}, sdkChain...), mail...),
		"bounces":   sdkChain,
	} {
		for _, pkg := range linkedBy(t, function) {
			for _, b := range banned {
				if pkg == b || strings.HasPrefix(pkg, b+"/") {
					t.Errorf("functions/%s links %s (under %s)", function, pkg, b)
				}
			}
		}
	}
}
