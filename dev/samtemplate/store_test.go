package samtemplate_test

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

// TestMessagesTableShape ensures the table is on-demand, expires items by the attribute the code writes, and has point-in-time recovery and encryption.
func TestMessagesTableShape(t *testing.T) {
	tpl := load(t)
	table, ok := resources(tpl)["MessagesTable"].(map[string]any)
	if !ok || table["Type"] != "AWS::DynamoDB::Table" {
		t.Fatal("no AWS::DynamoDB::Table MessagesTable")
	}
	checks := map[string][2]any{
		"billing":  {get(table, "Properties", "BillingMode"), "PAY_PER_REQUEST"},
		"ttl attr": {get(table, "Properties", "TimeToLiveSpecification", "AttributeName"), "expiresAt"},
		"ttl on":   {get(table, "Properties", "TimeToLiveSpecification", "Enabled"), true},
		"pitr":     {get(table, "Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"), true},
		"sse":      {get(table, "Properties", "SSESpecification", "SSEEnabled"), true},
		"retained": {table["DeletionPolicy"], "Retain"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: %v, want %v", name, c[0], c[1])
		}
	}
	fn := resources(tpl)["GmailSendFunction"]
	if ref := get(fn, "Properties", "Environment", "Variables", "MESSAGES_TABLE", "Ref"); ref != "MessagesTable" {
		t.Errorf("MESSAGES_TABLE is %v, want !Ref MessagesTable", ref)
	}
}

// TestTablePolicyIsTheCallsTheCodeMakes ensures the function may call on the table exactly the DynamoDB actions dynamostore.API declares (each item kind's statement allowing some of them), on the table and its indexes only.
func TestTablePolicyIsTheCallsTheCodeMakes(t *testing.T) {
	tpl := load(t)
	api := reflect.TypeOf((*dynamostore.API)(nil)).Elem()
	var want []string
	for i := 0; i < api.NumMethod(); i++ {
		want = append(want, "dynamodb:"+api.Method(i).Name)
	}
	sort.Strings(want)
	var got []string
	policies, _ := get(resources(tpl)["GmailSendFunction"], "Properties", "Policies").([]any)
	for _, p := range policies {
		stmts, _ := get(p, "Statement").([]any)
		for _, st := range stmts {
			actions := asStrings(get(st, "Action"))
			dynamo := false
			for _, a := range actions {
				if strings.HasPrefix(a, "dynamodb:") {
					dynamo = true
					if strings.Contains(a, "*") {
						t.Errorf("wildcard action %s", a)
					}
					got = append(got, a)
				}
			}
			if dynamo {
				checkTableResources(t, get(st, "Resource"))
			}
		}
	}
	sort.Strings(got)
	got = slices.Compact(got) // statements per item kind repeat actions
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("DynamoDB actions allowed %v, the code calls %v", got, want)
	}
}

// checkTableResources accepts only the table's ARN and ARNs under it
// (its indexes), never "*".
func checkTableResources(t *testing.T, res any) {
	t.Helper()
	list, ok := res.([]any)
	if !ok {
		list = []any{res}
	}
	for _, r := range list {
		if getAttResource(r) == "MessagesTable" {
			continue
		}
		if sub, ok := get(r, "Fn::Sub").(string); ok && strings.HasPrefix(sub, "${MessagesTable.Arn}/index/") {
			continue
		}
		t.Errorf("DynamoDB statement on %v: only the messages table and its indexes", r)
	}
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, s := range x {
			out = append(out, fmt.Sprint(s))
		}
		return out
	}
	return nil
}

// TestEveryRouteHasAnApiEvent ensures the handler's route table and the template's Api events name the same methods and paths, each with an API key except exactly the handler's public routes.
func TestEveryRouteHasAnApiEvent(t *testing.T) {
	var events []string
	for name, ev := range functionEvents(load(t)) {
		if get(ev, "Type") != "Api" {
			continue
		}
		method := strings.ToUpper(fmt.Sprint(get(ev, "Properties", "Method")))
		route := method + " " + fmt.Sprint(get(ev, "Properties", "Path"))
		keyed := get(ev, "Properties", "Auth", "ApiKeyRequired") == true
		if public := slices.Contains(lambdahandler.PublicRoutes(), route); keyed == public {
			t.Errorf("Api event %s (%s): API key required %v, want %v (public routes: %v)", name, route, keyed, !public, lambdahandler.PublicRoutes())
		}
		events = append(events, route)
	}
	sort.Strings(events)
	if got, want := strings.Join(events, ", "), strings.Join(lambdahandler.Routes(), ", "); got != want {
		t.Fatalf("template Api events: %s\nhandler routes:      %s", got, want)
	}
}
