package dynalite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend/dev/samtemplate"
)

// TableResource is the template's logical id of the messages table.
const TableResource = "MessagesTable"

// TemplatePath is template.yaml in the repository rooted at root.
func TemplatePath(root string) string { return filepath.Join(root, "template.yaml") }

// TableDefinition is the part of the template's table that CreateTable
// needs. Its field names are CloudFormation's, which are also the
// DynamoDB API's, so the template's values decode straight into SDK types.
type TableDefinition struct {
	BillingMode            types.BillingMode
	AttributeDefinitions   []types.AttributeDefinition
	KeySchema              []types.KeySchemaElement
	GlobalSecondaryIndexes []types.GlobalSecondaryIndex
	// TTLAttribute is TimeToLiveSpecification.AttributeName.
	TTLAttribute string
}

// ReadTableDefinition reads MessagesTable from the template at path.
func ReadTableDefinition(path string) (TableDefinition, error) {
	tmpl, err := samtemplate.Load(path)
	if err != nil {
		return TableDefinition{}, fmt.Errorf("dynalite: %w", err)
	}
	resources, _ := tmpl["Resources"].(map[string]any)
	res, _ := resources[TableResource].(map[string]any)
	if res == nil || res["Type"] != "AWS::DynamoDB::Table" {
		return TableDefinition{}, fmt.Errorf("dynalite: %s has no AWS::DynamoDB::Table %s", path, TableResource)
	}
	props, _ := res["Properties"].(map[string]any)
	raw, err := json.Marshal(props)
	if err != nil {
		return TableDefinition{}, fmt.Errorf("dynalite: %w", err)
	}
	var def struct {
		TableDefinition
		TimeToLiveSpecification struct{ AttributeName string }
	}
	if err := json.Unmarshal(raw, &def); err != nil {
		return TableDefinition{}, fmt.Errorf("dynalite: %s of %s: %w", TableResource, path, err)
	}
	def.TTLAttribute = def.TimeToLiveSpecification.AttributeName
	if len(def.KeySchema) == 0 {
		return TableDefinition{}, fmt.Errorf("dynalite: %s of %s has no KeySchema", TableResource, path)
	}
	return def.TableDefinition, nil
}

// CreateTable creates table name with the template's definition (an
// existing table of that name is left as it is).
func CreateTable(ctx context.Context, client *dynamodb.Client, templatePath, name string) error {
	def, err := ReadTableDefinition(templatePath)
	if err != nil {
		return err
	}
	_, err = client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:              aws.String(name),
		BillingMode:            def.BillingMode,
		AttributeDefinitions:   def.AttributeDefinitions,
		KeySchema:              def.KeySchema,
		GlobalSecondaryIndexes: def.GlobalSecondaryIndexes,
	})
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dynalite: creating table %s: %w", name, err)
	}
	return nil
}
