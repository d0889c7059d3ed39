package samtemplate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

func load(t *testing.T) map[string]any {
	t.Helper()
	tpl, err := samtemplate.Load(filepath.Join(fixture.ModuleRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func schemaPath(t *testing.T) string {
	t.Helper()
	return fixture.SAMSchema(t)
}

// get walks a path of map keys.
func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func resources(tpl map[string]any) map[string]any { return tpl["Resources"].(map[string]any) }

func ofType(tpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range resources(tpl) {
		if get(r, "Type") == typ {
			out[id] = r.(map[string]any)
		}
	}
	return out
}

// TestTemplateMatchesSAMSchema ensures template.yaml is valid for the official SAM schema.
func TestTemplateMatchesSAMSchema(t *testing.T) {
	if err := samtemplate.Validate(schemaPath(t), load(t)); err != nil {
		t.Fatal(err)
	}
}

// TestSchemaCatchesMistakes ensures the validator can fail: broken copies of the template are refused.
func TestSchemaCatchesMistakes(t *testing.T) {
	breakers := map[string]func(map[string]any){
		"unknown function property": func(tpl map[string]any) {
			get(tpl, "Resources", "GmailSendFunction", "Properties").(map[string]any)["Handlr"] = "bootstrap"
		},
		"unknown event type": func(tpl map[string]any) {
			get(tpl, "Resources", "GmailSendFunction", "Properties", "Events", "SendApi").(map[string]any)["Type"] = "Carrier"
		},
		"unknown serverless type": func(tpl map[string]any) {
			resources(tpl)["X"] = map[string]any{"Type": "AWS::Serverless::Nope", "Properties": map[string]any{}}
		},
	}
	for name, breakIt := range breakers {
		tpl := load(t)
		breakIt(tpl)
		if err := samtemplate.Validate(schemaPath(t), tpl); err == nil {
			t.Errorf("%s: schema accepted a broken template", name)
		}
	}
}

// TestFunctionShape ensures the runtime, build method, and logging are as documented (concurrency: deploy_test.go).
func TestFunctionShape(t *testing.T) {
	tpl := load(t)
	fns := ofType(tpl, "AWS::Serverless::Function")
	if len(fns) != 3 { // the sender, the bounce reader and the events function
		t.Fatalf("%d functions", len(fns))
	}
	makefile, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for id, fn := range fns {
		p := fn["Properties"].(map[string]any)
		if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" || fmt.Sprint(p["Architectures"]) != "[arm64]" {
			t.Errorf("runtime %v handler %v arch %v", p["Runtime"], p["Handler"], p["Architectures"])
		}
		if get(fn, "Metadata", "BuildMethod") != "makefile" {
			t.Error("BuildMethod is not makefile")
		}
		target := regexp.MustCompile(`(?m)^build-` + id + `:.*\n(\t.*\n)*`).Find(makefile)
		if target == nil || !strings.Contains(string(target), "$(ARTIFACTS_DIR)/bootstrap") {
			t.Errorf("Makefile has no build-%s target writing $(ARTIFACTS_DIR)/bootstrap", id)
		}
		if get(p, "LoggingConfig", "LogFormat") != "JSON" {
			t.Error("JSON logs missing")
		}
	}
	for id, lg := range ofType(tpl, "AWS::Logs::LogGroup") {
		if get(lg, "Properties", "RetentionInDays") == nil {
			t.Errorf("log group %s keeps logs for ever", id)
		}
	}
}

// TestEndpointNeverAnonymous ensures every HTTP entry point requires an API key under a usage plan, except the handler's public routes, each throttled by the stage's method settings; and no function URL exists.
func TestEndpointNeverAnonymous(t *testing.T) {
	tpl := load(t)
	apis := ofType(tpl, "AWS::Serverless::Api")
	for id, api := range apis {
		if get(api, "Properties", "Auth", "ApiKeyRequired") != true {
			t.Errorf("API %s does not require API keys", id)
		}
	}
	if len(ofType(tpl, "AWS::Serverless::HttpApi")) != 0 {
		t.Error("an HTTP API (no API keys) exists")
	}
	for id, fn := range ofType(tpl, "AWS::Serverless::Function") {
		if get(fn, "Properties", "FunctionUrlConfig") != nil {
			t.Errorf("%s has a function URL", id)
		}
		for name, ev := range get(fn, "Properties", "Events").(map[string]any) {
			if get(ev, "Type") == "Api" {
				api := get(ev, "Properties", "RestApiId", "Ref")
				if get(ev, "Properties", "Auth", "ApiKeyRequired") != true {
					method := strings.ToUpper(fmt.Sprint(get(ev, "Properties", "Method")))
					path := fmt.Sprint(get(ev, "Properties", "Path"))
					if !slices.Contains(lambdahandler.PublicRoutes(), method+" "+path) {
						t.Errorf("event %s is anonymous", name)
					} else if !stageThrottles(apis[fmt.Sprint(api)], method, path) {
						t.Errorf("public event %s is not throttled by its API's MethodSettings", name)
					}
				}
				if _, ok := apis[fmt.Sprint(api)]; !ok {
					t.Errorf("event %s uses an implicit API", name)
				}
			}
		}
	}
	plans := ofType(tpl, "AWS::ApiGateway::UsagePlan")
	if len(plans) != 1 {
		t.Fatal("no usage plan")
	}
	for _, plan := range plans {
		p := plan["Properties"].(map[string]any)
		if get(p, "Throttle", "RateLimit") == nil || get(p, "Quota", "Limit") == nil || get(p, "Quota", "Period") != "DAY" {
			t.Errorf("usage plan lacks throttle or daily quota: %v", p)
		}
	}
	if len(ofType(tpl, "AWS::ApiGateway::UsagePlanKey")) != 1 {
		t.Error("API key not attached to the usage plan")
	}
}

// TestSecretsPolicyConfinedToPrefix ensures the send function may only GetSecretValue on the credential prefix and the fingerprint key, and no function may do anything else with Secrets Manager.
func TestSecretsPolicyConfinedToPrefix(t *testing.T) {
	tpl := load(t)
	want := "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${CredentialPrefix}*"
	var sids []string
	for id, fn := range ofType(tpl, "AWS::Serverless::Function") {
		for _, pol := range get(fn, "Properties", "Policies").([]any) {
			stmts, ok := get(pol, "Statement").([]any)
			if !ok {
				t.Fatalf("policy %v is not an inline statement list (managed policies are too broad)", pol)
			}
			for _, s := range stmts {
				action := fmt.Sprint(get(s, "Action"))
				if !strings.Contains(action, "secretsmanager") {
					continue
				}
				sids = append(sids, id+"/"+fmt.Sprint(get(s, "Sid")))
				if action != "secretsmanager:GetSecretValue" {
					t.Errorf("statement %v allows more than GetSecretValue", s)
				}
				switch get(s, "Sid") {
				case "ReadStoredCredentials":
					if id != "GmailSendFunction" || get(s, "Resource", "Fn::Sub") != want {
						t.Errorf("%s: statement %v is broader than GetSecretValue on the prefix", id, s)
					}
				case "ReadFingerprintKey":
					if get(s, "Resource", "Ref") != "FingerprintKey" {
						t.Errorf("%s: statement %v is not on the fingerprint key", id, s)
					}
				case "ReadBounceCredentials": // TestBounceReaderReadsOnlyItsCredentials
				default:
					t.Errorf("%s: unexpected Secrets Manager statement %v", id, s)
				}
			}
		}
	}
	sort.Strings(sids)
	if got := strings.Join(sids, " "); got != "BounceFunction/ReadBounceCredentials EventsFunction/ReadFingerprintKey GmailSendFunction/ReadFingerprintKey GmailSendFunction/ReadStoredCredentials" {
		t.Fatalf("Secrets Manager statements: %s", got)
	}
}

// TestQueueWiring ensures partial batch failures, the visibility timeout rule and the dead-letter queue.
func TestQueueWiring(t *testing.T) {
	tpl := load(t)
	timeout := get(tpl, "Globals", "Function", "Timeout").(int64)
	fn := resources(tpl)["GmailSendFunction"]
	if v, ok := get(fn, "Properties", "Timeout").(int64); ok {
		timeout = v
	}
	var queueEvents int
	for _, ev := range get(fn, "Properties", "Events").(map[string]any) {
		if get(ev, "Type") != "SQS" {
			continue
		}
		queueEvents++
		if fmt.Sprint(get(ev, "Properties", "FunctionResponseTypes")) != "[ReportBatchItemFailures]" {
			t.Error("SQS event without ReportBatchItemFailures")
		}
		queueID := get(ev, "Properties", "Queue", "Fn::GetAtt").([]any)[0].(string)
		q := resources(tpl)[queueID]
		if vt := get(q, "Properties", "VisibilityTimeout").(int64); vt < 6*timeout {
			t.Errorf("visibility timeout %d < 6 × %d", vt, timeout)
		}
		dlq := get(q, "Properties", "RedrivePolicy", "deadLetterTargetArn", "Fn::GetAtt")
		if fmt.Sprint(dlq) != "[DeadLetterQueue Arn]" || get(q, "Properties", "RedrivePolicy", "maxReceiveCount") == nil {
			t.Errorf("queue %s has no dead-letter queue: %v", queueID, dlq)
		}
	}
	if queueEvents != 1 {
		t.Fatalf("%d SQS events", queueEvents)
	}
	if fmt.Sprint(get(fn, "Properties", "EventInvokeConfig", "DestinationConfig", "OnFailure", "Destination", "Fn::GetAtt")) != "[DeadLetterQueue Arn]" {
		t.Error("asynchronous failures have no destination")
	}
}

var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

// TestReferencesResolve ensures every Ref, GetAtt and ${…} names a parameter, resource or pseudo parameter.
func TestReferencesResolve(t *testing.T) {
	tpl := load(t)
	known := map[string]bool{}
	for k := range tpl["Parameters"].(map[string]any) {
		known[k] = true
	}
	for k := range resources(tpl) {
		known[k] = true
	}
	apis := ofType(tpl, "AWS::Serverless::Api")
	check := func(name string) {
		if strings.HasPrefix(name, "AWS::") {
			return
		}
		base, attr, _ := strings.Cut(name, ".")
		if _, isAPI := apis[base]; isAPI && attr == "Stage" {
			return // SAM's reference to an API's generated stage
		}
		if !known[base] {
			t.Errorf("reference to unknown %q", name)
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				switch k {
				case "Ref":
					check(c.(string))
				case "Fn::GetAtt":
					check(c.([]any)[0].(string))
				case "Fn::Sub":
					if s, ok := c.(string); ok {
						for _, m := range subVar.FindAllStringSubmatch(s, -1) {
							check(m[1])
						}
					}
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(tpl["Resources"])
	walk(tpl["Outputs"])
	for _, out := range []string{"SendEndpoint", "SendQueueUrl", "ApiKeyId"} {
		if get(tpl, "Outputs", out) == nil {
			t.Errorf("output %s missing", out)
		}
	}
}

// TestSAMConfig ensures samconfig.toml parses and names the stack and capabilities (no region: see samconfig_test.go).
func TestSAMConfig(t *testing.T) {
	var cfg struct {
		Version float64 `toml:"version"`
		Default map[string]struct {
			Parameters map[string]any `toml:"parameters"`
		} `toml:"default"`
	}
	if _, err := toml.DecodeFile(filepath.Join(fixture.ModuleRoot(t), "samconfig.toml"), &cfg); err != nil {
		t.Fatal(err)
	}
	deploy := cfg.Default["deploy"].Parameters
	if cfg.Version != 0.1 || cfg.Default["global"].Parameters["stack_name"] == nil || deploy["capabilities"] != "CAPABILITY_IAM" {
		t.Fatalf("%+v", cfg)
	}
	for _, section := range []string{"build", "deploy", "local_invoke"} {
		if _, ok := cfg.Default[section]; !ok {
			t.Errorf("no [default.%s.parameters]", section)
		}
	}
	event := cfg.Default["local_invoke"].Parameters["event"].(string)
	if _, err := os.Stat(filepath.Join(fixture.ModuleRoot(t), event)); err != nil {
		t.Errorf("local_invoke event %s: %v", event, err)
	}
}

// stageThrottles reports whether api's MethodSettings throttle method on
// path (the resource path with "/" written "~1", as API Gateway wants it).
func stageThrottles(api any, method, path string) bool {
	settings, _ := get(api, "Properties", "MethodSettings").([]any)
	want := "/" + strings.ReplaceAll(path, "/", "~1")
	for _, s := range settings {
		if get(s, "ResourcePath") == want && strings.EqualFold(fmt.Sprint(get(s, "HttpMethod")), method) &&
			get(s, "ThrottlingRateLimit") != nil && get(s, "ThrottlingBurstLimit") != nil {
			return true
		}
	}
	return false
}
