package dynalite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CheckNoSecrets reads every item of table (a Scan, which only tests do)
// and fails tb if any attribute holds one of forbidden, or an @ anywhere
// but in messageId (a Message-ID is on the sender's domain; an @ anywhere
// else is an address of a person). It returns how many items it read.
func CheckNoSecrets(tb testing.TB, client *dynamodb.Client, table string, forbidden []string) int {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in := &dynamodb.ScanInput{TableName: aws.String(table)}
	n := 0
	for {
		out, err := client.Scan(ctx, in)
		if err != nil {
			tb.Fatalf("dynalite: scanning %s: %v", table, err)
		}
		for _, item := range out.Items {
			n++
			checkItem(tb, item, forbidden)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return n
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func checkItem(tb testing.TB, item map[string]types.AttributeValue, forbidden []string) {
	tb.Helper()
	pk := AttrText(item["pk"])
	for name, v := range item {
		s := AttrText(v)
		for _, f := range forbidden {
			if f != "" && strings.Contains(s, f) {
				tb.Errorf("item %s: attribute %s holds %q", pk, name, f)
			}
		}
		if name != "messageId" && strings.Contains(s, "@") {
			tb.Errorf("item %s: attribute %s holds an address-like value", pk, name)
		}
	}
}

// AttrText is an attribute's value as text, nested values included.
func AttrText(v types.AttributeValue) string {
	switch a := v.(type) {
	case *types.AttributeValueMemberS:
		return a.Value
	case *types.AttributeValueMemberN:
		return a.Value
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprint(a.Value)
	case *types.AttributeValueMemberSS:
		return strings.Join(a.Value, ";")
	case *types.AttributeValueMemberM:
		var b strings.Builder
		for k, x := range a.Value {
			b.WriteString(k + "=" + AttrText(x) + ";")
		}
		return b.String()
	case *types.AttributeValueMemberL:
		var b strings.Builder
		for _, x := range a.Value {
			b.WriteString(AttrText(x) + ";")
		}
		return b.String()
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// Statuses counts the items of table by their "status" attribute (items
// without one are not counted), so a test can check what the real
// function wrote.
func Statuses(tb testing.TB, client *dynamodb.Client, table string) map[string]int {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in := &dynamodb.ScanInput{TableName: aws.String(table)}
	got := map[string]int{}
	for {
		out, err := client.Scan(ctx, in)
		if err != nil {
			tb.Fatalf("dynalite: scanning %s: %v", table, err)
		}
		for _, item := range out.Items {
			if s := AttrText(item["status"]); s != "" {
				got[s]++
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return got
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
