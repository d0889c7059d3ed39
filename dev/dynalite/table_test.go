package dynalite

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestTableDefinitionFromTemplate ensures the definition is read from template.yaml: on-demand, pk/sk strings, the TTL attribute.
func TestTableDefinitionFromTemplate(t *testing.T) {
	def, err := ReadTableDefinition(TemplatePath(fixture.ModuleRoot(t)))
	if err != nil {
		t.Fatal(err)
	}
	if def.BillingMode != types.BillingModePayPerRequest || def.TTLAttribute != "expiresAt" {
		t.Fatalf("definition %+v", def)
	}
	if len(def.KeySchema) != 2 || aws.ToString(def.KeySchema[0].AttributeName) != "pk" || def.KeySchema[0].KeyType != types.KeyTypeHash ||
		aws.ToString(def.KeySchema[1].AttributeName) != "sk" || def.KeySchema[1].KeyType != types.KeyTypeRange {
		t.Fatalf("key schema %+v", def.KeySchema)
	}
	for _, a := range def.AttributeDefinitions {
		if a.AttributeType != types.ScalarAttributeTypeS {
			t.Fatalf("attribute %s is %s", aws.ToString(a.AttributeName), a.AttributeType)
		}
	}
}

// TestCreateTableOnDynalite ensures a real dynalite starts, takes the template's table, and answers a conditional write as DynamoDB does.
func TestCreateTableOnDynalite(t *testing.T) {
	client, _ := StartTable(t, "messages")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Creating it again is not an error (make run restarts keep the table).
	if err := CreateTable(ctx, client, TemplatePath(fixture.ModuleRoot(t)), "messages"); err != nil {
		t.Fatal(err)
	}
	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("messages")})
	if err != nil || desc.Table.TableStatus != types.TableStatusActive {
		t.Fatalf("table %+v %v", desc, err)
	}
	put := &dynamodb.PutItemInput{
		TableName:           aws.String("messages"),
		Item:                map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberS{Value: "b"}},
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}
	if _, err := client.PutItem(ctx, put); err != nil {
		t.Fatal(err)
	}
	_, err = client.PutItem(ctx, put)
	var failed *types.ConditionalCheckFailedException
	if !errorsAs(err, &failed) {
		t.Fatalf("second conditional put: %v, want ConditionalCheckFailedException", err)
	}
}
