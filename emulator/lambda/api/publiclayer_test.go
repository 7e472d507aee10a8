package api_test

import (
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestPublicLayerByArn: another account's layer version (Klayers' Pillow)
// is answered as AWS answers a public layer, under its own ARN, with what
// the lab runs for it: its stand-in. A public layer the lab has no
// stand-in for is refused with the reason (offline).
func TestPublicLayerByArn(t *testing.T) {
	l := newLab(t)
	const public = "arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p312-Pillow:1"
	zipped := makeZip(t, map[string]string{"python/PIL/__init__.py": "VERSION = '10.0.0'\n"})
	l.reg.AddStandIn(public, func(out string) (string, error) {
		return "Pillow 10.0.0 from this machine", os.WriteFile(out, zipped, 0o644)
	})
	v, err := l.client.GetLayerVersionByArn(ctx, &sdk.GetLayerVersionByArnInput{Arn: aws.String(public)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v.LayerVersionArn) != public || v.Version != 1 || aws.ToString(v.LayerArn) != strings.TrimSuffix(public, ":1") ||
		aws.ToString(v.Description) != "stand-in for Klayers-p312-Pillow:1: Pillow 10.0.0 from this machine" || v.Content.CodeSize != int64(len(zipped)) {
		t.Errorf("GetLayerVersionByArn: %+v %+v", v, v.Content)
	}
	_, err = l.client.GetLayerVersionByArn(ctx, &sdk.GetLayerVersionByArnInput{Arn: aws.String("arn:aws:lambda:us-east-1:770693421928:layer:Other:3")})
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") || !strings.Contains(err.Error(), "offline") {
		t.Errorf("a public layer without a stand-in: %v", err)
	}
}
