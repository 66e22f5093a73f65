{{/* Chart name, truncated to the 63 characters labels allow. */}}
{{- define "campaign-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full resource name: the release name, plus the chart name unless it already contains it. */}}
{{- define "campaign-service.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "campaign-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "campaign-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "campaign-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "campaign-service.labels" -}}
helm.sh/chart: {{ include "campaign-service.chart" . }}
{{ include "campaign-service.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: api
{{- end }}

{{- define "campaign-service.secretName" -}}
{{- default (include "campaign-service.fullname" .) .Values.secret.name }}
{{- end }}

{{- define "campaign-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "campaign-service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "campaign-service.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
Refuses values that would break the service's contract: variables the chart owns, a variable
in both places, one Secret key for both the PEM and the key set, the per-pod memory store on
several replicas, a grace period shorter than the service's shutdown, an empty replica range.
*/}}
{{- define "campaign-service.validate" -}}
{{- range $key, $_ := .Values.config }}
{{- if has $key (list "CAMPAIGN_LISTEN" "CAMPAIGN_JWT_PUBLIC_KEY_FILE" "CAMPAIGN_JWT_JWKS_FILE") }}
{{- fail (printf "config.%s is set by the chart (containerPort, secret.jwtPublicKeyKey, secret.jwtJwksKey); remove it" $key) }}
{{- end }}
{{- if hasKey $.Values.secret.env $key }}
{{- fail (printf "%s is in both config and secret.env; keep it in one place" $key) }}
{{- end }}
{{- end }}
{{- if and .Values.secret.jwtJwksKey (eq .Values.secret.jwtJwksKey .Values.secret.jwtPublicKeyKey) }}
{{- fail "secret.jwtJwksKey and secret.jwtPublicKeyKey name the same Secret key: a PEM and a key set are different files" }}
{{- end }}
{{- $store := default "memory" (index .Values.config "CAMPAIGN_STORE") }}
{{- if and (eq $store "memory") (or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1)) }}
{{- fail "CAMPAIGN_STORE=memory keeps the data inside each pod: run one replica (replicaCount: 1, autoscaling.enabled: false) or use mongodb" }}
{{- end }}
{{- $shutdown := add 30 (int .Values.preStopSleepSeconds) }}
{{- if le (int .Values.terminationGracePeriodSeconds) $shutdown }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds + 30 s of shutdown (%d)" (int .Values.terminationGracePeriodSeconds) $shutdown) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- end }}

{{/*
CAMPAIGN_WORKERS: the container's CPU request rounded up to whole CPUs, at least 1 ("250m" and
"500m" give 1, "1500m" and "1.5" give 2, "2" gives 2). The pods set no CPU limit, so no cgroup
quota tells the service how many CPUs it is meant to use: without this it would start one
HTTP worker per CPU of the node. config.CAMPAIGN_WORKERS, when set, wins.
*/}}
{{- define "campaign-service.workers" -}}
{{- if hasKey .Values.config "CAMPAIGN_WORKERS" }}
{{- index .Values.config "CAMPAIGN_WORKERS" | toString }}
{{- else }}
{{- $cpu := toString (dig "requests" "cpu" "" (.Values.resources | default dict)) }}
{{- $workers := 1 }}
{{- if hasSuffix "m" $cpu }}
{{- $workers = div (add (int (trimSuffix "m" $cpu)) 999) 1000 }}
{{- else if $cpu }}
{{- $workers = int (ceil (float64 $cpu)) }}
{{- end }}
{{- max 1 $workers }}
{{- end }}
{{- end }}
