package control

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
)

// PublishLayerVersionInput is PublishLayerVersion's request.
type PublishLayerVersionInput struct {
	LayerName               string `json:"-"`
	Description             string
	Content                 FunctionCode
	CompatibleRuntimes      []string
	CompatibleArchitectures []string
	LicenseInfo             string
}

// LayerVersion is a layer version as Get/PublishLayerVersion return it.
type LayerVersion struct {
	Content                 *LayerVersionContent `json:",omitempty"`
	LayerArn                string
	LayerVersionArn         string
	Description             string
	CreatedDate             string
	Version                 int64
	CompatibleRuntimes      []string `json:",omitempty"`
	CompatibleArchitectures []string `json:",omitempty"`
}

// LayerVersionContent is where a layer version's zip is.
type LayerVersionContent struct {
	Location   string
	CodeSha256 string
	CodeSize   int64
}

// LayersListItem is one layer of ListLayers.
type LayersListItem struct {
	LayerName             string
	LayerArn              string
	LatestMatchingVersion LayerVersion
}

// ListLayersOutput is ListLayers' answer.
type ListLayersOutput struct {
	Layers     []LayersListItem
	NextMarker string `json:",omitempty"`
}

// ListLayerVersionsOutput is ListLayerVersions' answer.
type ListLayerVersionsOutput struct {
	LayerVersions []LayerVersion
	NextMarker    string `json:",omitempty"`
}

func (c *Control) registry() (*layers.Registry, *Error) {
	if c.deps.Layers == nil {
		return nil, errorf(ErrService, "lambdalab has no layer registry")
	}
	return c.deps.Layers, nil
}

// PublishLayerVersion adds a version of a layer from a zip in the request
// or in S3. LicenseInfo and CompatibleArchitectures are accepted but not
// kept by the registry.
func (c *Control) PublishLayerVersion(ctx context.Context, in PublishLayerVersionInput) (LayerVersion, error) {
	reg, err := c.registry()
	if err != nil {
		return LayerVersion{}, err
	}
	content := in.Content.ZipFile
	if in.Content.S3Bucket != "" || in.Content.S3Key != "" {
		data, ferr := c.fetch(ctx, in.Content)
		if ferr != nil {
			return LayerVersion{}, ferr
		}
		content = data
	}
	if content == nil {
		// *unverified*: AWS's wording for a Content without a zip.
		return LayerVersion{}, invalid("Please provide a source for layer content.")
	}
	publish := reg.Publish
	if in.Content.ZipFile == nil {
		publish = reg.PublishFromS3 // a zip in S3 may be larger than one in the request
	}
	if _, zerr := unzippedSize(content); zerr != nil && (in.Content.ZipFile == nil || len(content) <= layers.MaxZipBytes) {
		return LayerVersion{}, zerr
	}
	v, perr := publish(in.LayerName, content, in.Description, in.CompatibleRuntimes)
	if perr != nil {
		return LayerVersion{}, AsError(perr)
	}
	c.notify(Change{Op: "PublishLayerVersion", Layer: v.ARN})
	return c.layerVersion(v, true), nil
}

// layerVersion is a registry version in the API's shape.
func (c *Control) layerVersion(v layers.Version, content bool) LayerVersion {
	out := LayerVersion{LayerArn: v.LayerARN(), LayerVersionArn: v.ARN, Description: v.Description,
		CreatedDate: v.Created.UTC().Format(lastModifiedLayout), Version: v.Version,
		CompatibleRuntimes: v.CompatibleRuntimes}
	if content {
		out.Content = &LayerVersionContent{CodeSha256: v.CodeSha256, CodeSize: v.CodeSize,
			Location: c.location("layer-"+v.Name+"-"+strconv.FormatInt(v.Version, 10), v.CodeSha256)}
	}
	return out
}

// GetLayerVersion returns one version of a layer.
func (c *Control) GetLayerVersion(name string, version int64) (LayerVersion, error) {
	reg, err := c.registry()
	if err != nil {
		return LayerVersion{}, err
	}
	if version < 1 {
		return LayerVersion{}, invalid("Layer Version Cannot be less than 1")
	}
	v, ok := reg.Get(name, version)
	if !ok {
		return LayerVersion{}, resourceNotFound()
	}
	return c.layerVersion(v, true), nil
}

// GetLayerVersionByArn returns the version a layer version ARN names.
func (c *Control) GetLayerVersionByArn(layerARN string) (LayerVersion, error) {
	l, perr := arn.ParseLayer(layerARN)
	if perr != nil {
		return LayerVersion{}, errorf(ErrValidation, "1 validation error detected: Value '%s' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)", layerARN)
	}
	if l.Account != c.deps.Account && c.deps.Layers != nil {
		return c.publicLayer(layerARN, l)
	}
	if l.Account != c.deps.Account || l.Region != c.deps.Region {
		return LayerVersion{}, resourceNotFound()
	}
	return c.GetLayerVersion(l.Name, l.Version)
}

// publicLayer answers another account's layer version: AWS does when the
// layer's policy lets everyone use it, as Klayers' does. The lab, offline,
// answers with the stand-in it would run (or says it cannot download the
// layer), under the public ARN.
func (c *Control) publicLayer(layerARN string, l arn.Layer) (LayerVersion, error) {
	v, err := c.deps.Layers.Resolve(layerARN)
	if err != nil {
		return LayerVersion{}, AsError(err)
	}
	out := c.layerVersion(v, true)
	out.LayerVersionArn, out.Version = layerARN, l.Version
	out.LayerArn = layerARN[:strings.LastIndex(layerARN, ":")]
	return out, nil
}

// ListLayerVersions returns a layer's versions, newest first.
func (c *Control) ListLayerVersions(name, marker string, maxItems int) (ListLayerVersionsOutput, error) {
	reg, err := c.registry()
	if err != nil {
		return ListLayerVersionsOutput{}, err
	}
	out := ListLayerVersionsOutput{LayerVersions: []LayerVersion{}}
	vs := reg.Versions(name)
	start := pageStart(len(vs), marker)
	for i := start; i < len(vs); i++ {
		if maxItems > 0 && len(out.LayerVersions) == maxItems {
			out.NextMarker = strconv.Itoa(i)
			break
		}
		out.LayerVersions = append(out.LayerVersions, c.layerVersion(vs[i], false))
	}
	return out, nil
}

// ListLayers returns every layer with its newest version, by name.
func (c *Control) ListLayers(marker string, maxItems int) (ListLayersOutput, error) {
	reg, err := c.registry()
	if err != nil {
		return ListLayersOutput{}, err
	}
	latest := reg.Latest()
	sort.Slice(latest, func(i, j int) bool { return latest[i].Name < latest[j].Name })
	out := ListLayersOutput{Layers: []LayersListItem{}}
	for i := pageStart(len(latest), marker); i < len(latest); i++ {
		if maxItems > 0 && len(out.Layers) == maxItems {
			out.NextMarker = strconv.Itoa(i)
			break
		}
		v := latest[i]
		out.Layers = append(out.Layers, LayersListItem{LayerName: v.Name, LayerArn: v.LayerARN(),
			LatestMatchingVersion: c.layerVersion(v, false)})
	}
	return out, nil
}

// pageStart reads a list marker: the index of the page's first item.
func pageStart(n int, marker string) int {
	i, err := strconv.Atoi(marker)
	if err != nil || i < 0 || i > n {
		return 0
	}
	return i
}

// DeleteLayerVersion deletes a version; functions that use it keep it, as
// on Lambda. Deleting one that does not exist succeeds.
func (c *Control) DeleteLayerVersion(name string, version int64) error {
	reg, err := c.registry()
	if err != nil {
		return err
	}
	v, ok := reg.Get(name, version)
	if !ok {
		return nil
	}
	if derr := reg.Delete(name, version); derr != nil {
		return errUnknown(fmt.Sprintf("delete layer %s:%d", name, version), derr)
	}
	c.notify(Change{Op: "DeleteLayerVersion", Layer: v.ARN})
	return nil
}
