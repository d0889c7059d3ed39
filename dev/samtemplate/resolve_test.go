package samtemplate_test

import (
	"fmt"
	"testing"

	"github.com/gmailsend/gmailsend/dev/samtemplate"
)

// TestResolverEvaluatesConditions ensures Fn::If, Fn::Not, Fn::Equals, Fn::And, Fn::Or and AWS::NoValue resolve as CloudFormation does, with defaults and overrides.
func TestResolverEvaluatesConditions(t *testing.T) {
	tpl := map[string]any{
		"Parameters": map[string]any{
			"N":    map[string]any{"Type": "Number", "Default": int64(0)},
			"Flag": map[string]any{"Type": "String", "Default": "true"},
		},
		"Conditions": map[string]any{
			"NonZero": map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "N"}, int64(0)}}}},
			"Both":    map[string]any{"Fn::And": []any{map[string]any{"Condition": "NonZero"}, map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "Flag"}, "true"}}}},
			"Either":  map[string]any{"Fn::Or": []any{map[string]any{"Condition": "NonZero"}, map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "Flag"}, "true"}}}},
		},
	}
	prop := map[string]any{"Fn::If": []any{"NonZero", map[string]any{"Ref": "N"}, map[string]any{"Ref": "AWS::NoValue"}}}
	cases := []struct {
		overrides    map[string]any
		want         any
		both, either bool
	}{
		{nil, samtemplate.NoValue, false, true},
		{map[string]any{"N": "5"}, "5", true, true},
		{map[string]any{"N": "5", "Flag": "false"}, "5", false, true},
		{map[string]any{"Flag": "false"}, samtemplate.NoValue, false, false},
	}
	for _, c := range cases {
		r := samtemplate.NewResolver(tpl, c.overrides)
		got, err := r.Value(prop)
		if err != nil || got != c.want {
			t.Errorf("%v: %v %v, want %v", c.overrides, got, err, c.want)
		}
		if b, _ := r.Condition("Both"); b != c.both {
			t.Errorf("%v: Both %v", c.overrides, b)
		}
		if e, _ := r.Condition("Either"); e != c.either {
			t.Errorf("%v: Either %v", c.overrides, e)
		}
	}
	if _, err := samtemplate.NewResolver(tpl, nil).Condition("Missing"); err == nil {
		t.Error("an unknown condition resolved")
	}
}

// TestDeepResolvesIntrinsics ensures Deep evaluates Sub (both forms), Split, Select, Join, GetAtt and Ref of resources and pseudo parameters, and drops AWS::NoValue from lists and maps.
func TestDeepResolvesIntrinsics(t *testing.T) {
	tpl := map[string]any{
		"Parameters": map[string]any{"Names": map[string]any{"Type": "String", "Default": "a,b"}},
		"Conditions": map[string]any{"HasSecond": map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{
			map[string]any{"Fn::Select": []any{"1", map[string]any{"Fn::Split": []any{",", map[string]any{"Fn::Sub": "${Names},,"}}}}}, ""}}}}},
		"Resources": map[string]any{"Q": map[string]any{"Type": "AWS::SQS::Queue"}},
	}
	v := []any{
		map[string]any{"Fn::Sub": []any{"${AWS::Region}/${N}/${Q.Arn}", map[string]any{"N": map[string]any{"Fn::Select": []any{int64(1), map[string]any{"Fn::Split": []any{",", map[string]any{"Ref": "Names"}}}}}}}},
		map[string]any{"Fn::If": []any{"HasSecond", "second", map[string]any{"Ref": "AWS::NoValue"}}},
		map[string]any{"Fn::Join": []any{"-", []any{"x", map[string]any{"Ref": "Q"}}}},
		map[string]any{"k": map[string]any{"Ref": "AWS::NoValue"}},
	}
	got, err := samtemplate.NewResolver(tpl, nil).Deep(v)
	want := "[us-east-1/b/arn:aws:sqs:us-east-1:123456789012:gmailsend-Q second x-https://sqs.us-east-1.amazonaws.com/123456789012/gmailsend-Q map[]]"
	if err != nil || fmt.Sprint(got) != want {
		t.Fatalf("%v %v\nwant %s", got, err, want)
	}
	if got, _ := samtemplate.NewResolver(tpl, map[string]any{"Names": "a"}).Deep(v[1:2]); fmt.Sprint(got) != "[]" {
		t.Errorf("one name: %v", got)
	}
}
