{{/* The release's resource name: the release name, with "-noah" unless it already contains "noah". */}}
{{- define "noah.fullname" -}}
{{- if contains "noah" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-noah" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "noah.selectorLabels" -}}
app.kubernetes.io/name: noah
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "noah.labels" -}}
{{ include "noah.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "noah.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "noah.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "noah.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* application.yaml: the chart's settings, then the caller's config on top (theirs win). */}}
{{- define "noah.applicationConfig" -}}
{{- $noah := dict -}}
{{- if .Values.kafka.bootstrapServers -}}
{{- $_ := set $noah "events" (dict "bootstrap-servers" .Values.kafka.bootstrapServers) -}}
{{- end -}}
{{- if .Values.autoscaler.metricsUrl -}}
{{- $_ := set $noah "autoscaler" (dict "metrics-url" .Values.autoscaler.metricsUrl) -}}
{{- end -}}
{{- if .Values.terminalAllowedOrigins -}}
{{- $_ := set $noah "console" (dict "terminals" (dict "allowed-origins" .Values.terminalAllowedOrigins)) -}}
{{- end -}}
{{- $base := dict "noah" $noah -}}
{{- toYaml (mustMergeOverwrite $base (deepCopy .Values.config)) -}}
{{- end -}}
