package api_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func TestLayersThroughTheAPI(t *testing.T) {
	l := newLab(t)
	pillow := makeZip(t, map[string]string{"python/PIL/__init__.py": "VERSION = '9.5.0'\n"})
	v1, err := l.client.PublishLayerVersion(ctx, &sdk.PublishLayerVersionInput{LayerName: aws.String("pillow"),
		Description: aws.String("Pillow"), CompatibleRuntimes: []types.Runtime{types.RuntimePython312},
		Content: &types.LayerVersionContentInput{ZipFile: pillow}})
	if err != nil {
		t.Fatal(err)
	}
	layerARN := "arn:aws:lambda:us-east-1:000000000000:layer:pillow"
	if aws.ToString(v1.LayerVersionArn) != layerARN+":1" || aws.ToString(v1.LayerArn) != layerARN || v1.Version != 1 ||
		v1.Content.CodeSize != int64(len(pillow)) || aws.ToString(v1.Description) != "Pillow" || !lastModified.MatchString(aws.ToString(v1.CreatedDate)) {
		t.Errorf("PublishLayerVersion: %+v %+v", v1, v1.Content)
	}
	l.objects["layers/pillow2.zip"] = pillow
	v2, err := l.client.PublishLayerVersion(ctx, &sdk.PublishLayerVersionInput{LayerName: aws.String("pillow"),
		Content: &types.LayerVersionContentInput{S3Bucket: aws.String("layers"), S3Key: aws.String("pillow2.zip")}})
	if err != nil || v2.Version != 2 {
		t.Fatalf("PublishLayerVersion from S3: %v", err)
	}
	list, err := l.client.ListLayers(ctx, &sdk.ListLayersInput{})
	if err != nil || len(list.Layers) != 1 || list.Layers[0].LatestMatchingVersion.Version != 2 {
		t.Fatalf("ListLayers: %v %+v", err, list)
	}
	versions, err := l.client.ListLayerVersions(ctx, &sdk.ListLayerVersionsInput{LayerName: aws.String("pillow")})
	if err != nil || len(versions.LayerVersions) != 2 || versions.LayerVersions[0].Version != 2 {
		t.Fatalf("ListLayerVersions: %v %+v", err, versions)
	}
	byArn, err := l.client.GetLayerVersionByArn(ctx, &sdk.GetLayerVersionByArnInput{Arn: aws.String(layerARN + ":1")})
	if err != nil || byArn.Version != 1 || aws.ToString(byArn.Content.CodeSha256) != aws.ToString(v1.Content.CodeSha256) {
		t.Fatalf("GetLayerVersionByArn: %v", err)
	}

	// A function with the layer: UpdateFunctionConfiguration --layers.
	l.create("demo", "echo.handler")
	upd, err := l.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("demo"),
		Layers: []string{layerARN + ":1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(upd.Layers) != 1 || aws.ToString(upd.Layers[0].Arn) != layerARN+":1" || upd.Layers[0].CodeSize != int64(len(pillow)) {
		t.Errorf("the function's Layers: %+v", upd.Layers)
	}
	l.waitUpdated("demo")
	l.mu.Lock()
	spec := l.built[len(l.built)-1]
	l.mu.Unlock()
	if len(spec.Layers) != 1 || spec.Layers[0].Version != 1 || len(spec.RuntimeSpec().Layers) != 1 || spec.RuntimeSpec().Layers[0] != spec.Layers[0].Zip {
		t.Errorf("Deps.Runtime got layers %+v", spec.Layers)
	}

	if _, err := l.client.DeleteLayerVersion(ctx, &sdk.DeleteLayerVersionInput{LayerName: aws.String("pillow"), VersionNumber: aws.Int64(1)}); err != nil {
		t.Fatal(err)
	}
	_, err = l.client.GetLayerVersion(ctx, &sdk.GetLayerVersionInput{LayerName: aws.String("pillow"), VersionNumber: aws.Int64(1)})
	wantAPIError(t, err, "ResourceNotFoundException", "The resource you requested does not exist.", 404)
	if _, err := l.client.DeleteLayerVersion(ctx, &sdk.DeleteLayerVersionInput{LayerName: aws.String("pillow"), VersionNumber: aws.Int64(1)}); err != nil {
		t.Errorf("deleting a deleted version: %v", err)
	}
	_, err = l.client.PublishLayerVersion(ctx, &sdk.PublishLayerVersionInput{LayerName: aws.String("pillow"),
		Content: &types.LayerVersionContentInput{ZipFile: []byte("not a zip")}})
	wantAPIError(t, err, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.", 400)
	if vs := l.reg.Versions("pillow"); len(vs) != 1 {
		t.Errorf("versions after a refused publish: %d", len(vs))
	}
}
