/**
 * The objects test/conformance/kubernetes-inspect.test.ts has a real API server write: the kinds
 * the issue names (Deployment, Pod, Secret, ConfigMap, CRD and custom resource, Lease, Service)
 * with the field types that need care (Quantity, IntOrString, Time and MicroTime, bytes, maps,
 * inline structs, int64, omitempty), and one object of many other built-in kinds.
 */

export const INSPECT_OBJECTS = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: inspect, labels: {app: web}, annotations: {note: hello}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: "25%", maxUnavailable: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: registry.k8s.io/pause:3.10
        ports: [{containerPort: 80, name: http}]
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: "1", memory: 128Mi}}
        env: [{name: A, value: "1"}, {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 5}
        livenessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 3}
        volumeMounts: [{name: cfg, mountPath: /etc/cfg}, {name: tmp, mountPath: /tmp}]
      volumes:
      - name: cfg
        configMap: {name: web-config, defaultMode: 0644}
      - name: tmp
        emptyDir: {sizeLimit: 1Gi}
      terminationGracePeriodSeconds: 10
      tolerations: [{key: k, operator: Exists, effect: NoExecute, tolerationSeconds: 30}]
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 50
            podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: inspect, labels: {run: solo}}
spec:
  securityContext: {runAsUser: 1000, fsGroup: 2000, runAsNonRoot: true}
  initContainers: [{name: init, image: registry.k8s.io/pause:3.10, command: [sh, -c, "true"]}]
  containers:
  - name: main
    image: registry.k8s.io/pause:3.10
    command: [sleep, "3600"]
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}
    resources: {limits: {cpu: 250m, memory: 1Gi, ephemeral-storage: 2Gi}}
  dnsConfig: {options: [{name: ndots, value: "2"}]}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: inspect}
type: Opaque
data: {username: YWRtaW4=, password: czNjcjN0, binary: AAECA/8=}
---
apiVersion: v1
kind: Secret
metadata: {name: rotated, namespace: inspect}
stringData: {token: before-rotation}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: inspect}
data: {app.conf: "listen 80;\\n", LOG_LEVEL: info}
binaryData: {blob: AAECAw==}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: my-lease, namespace: inspect}
spec: {holderIdentity: me, leaseDurationSeconds: 15, acquireTime: "2026-12-01T10:00:00.123456Z", renewTime: "2026-12-01T10:00:05.654321Z", leaseTransitions: 2}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: inspect}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}, {name: metrics, port: 9100, targetPort: 9100, protocol: TCP}]
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns: [{name: Spec, type: string, jsonPath: .spec.cronSpec}]
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec: {type: string, pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'}
              image: {type: string, default: busybox}
              replicas: {type: integer, minimum: 1, maximum: 10}
              ratio: {type: number, multipleOf: 0.5}
              tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
              port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
            x-kubernetes-validations: [{rule: "self.replicas <= 10", message: too many}]
          status: {type: object, additionalProperties: {type: string}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: inspect}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: registry.k8s.io/pause:3.10}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: inspect}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: a, image: registry.k8s.io/pause:3.10}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: inspect}
spec:
  schedule: "0 3 * * *"
  timeZone: Etc/UTC
  jobTemplate:
    spec:
      backoffLimit: 2
      activeDeadlineSeconds: 600
      template: {spec: {restartPolicy: OnFailure, containers: [{name: j, image: registry.k8s.io/pause:3.10}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: inspect}
spec:
  completions: 2
  parallelism: 1
  template: {spec: {restartPolicy: Never, containers: [{name: j, image: registry.k8s.io/pause:3.10}]}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: inspect}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
  behavior: {scaleDown: {stabilizationWindowSeconds: 300, policies: [{type: Percent, value: 50, periodSeconds: 60}]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: inspect}
spec: {minAvailable: "50%", selector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: inspect}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 53, protocol: UDP}, {port: 8000, endPort: 9000}]}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: inspect}
spec:
  ingressClassName: nginx
  tls: [{hosts: [web.example.com], secretName: tls}]
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/fast
parameters: {type: ssd}
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /tmp/pv1, type: DirectoryOrCreate}
  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n1]}]}]}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim, namespace: inspect}
spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 500Mi}}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: inspect}
spec: {hard: {pods: "20", requests.cpu: "4", limits.memory: 8Gi}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: inspect}
spec: {limits: [{type: Container, default: {cpu: 500m}, defaultRequest: {cpu: 100m}, max: {memory: 2Gi}}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy, namespace: inspect}
spec:
  replicas: 0
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
---
apiVersion: v1
kind: Event
metadata: {name: web.manual, namespace: inspect}
involvedObject: {kind: Deployment, namespace: inspect, name: web, apiVersion: apps/v1}
reason: Tested
message: written by the inspect conformance test
type: Normal
count: 3
firstTimestamp: "2026-12-01T10:00:00Z"
lastTimestamp: "2026-12-01T10:05:00Z"
source: {component: kubekeeper-test}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: manual, namespace: inspect, labels: {kubernetes.io/service-name: manual}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.5], conditions: {ready: true}, zone: z1}]
ports: [{name: http, port: 8080, protocol: TCP}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: inspect}
rules: [{apiGroups: [""], resources: [pods, configmaps], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: inspect}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  failurePolicy: Fail
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]}
  validations: [{expression: "object.spec.replicas <= 50", message: too many}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
webhooks:
- name: hook.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Ignore
  timeoutSeconds: 3
  clientConfig: {url: "https://hook.example.com/validate", caBundle: AAECAw==}
  rules: [{apiGroups: [example.com], apiVersions: [v1], operations: [CREATE], resources: [widgets], scope: Namespaced}]
  namespaceSelector: {matchLabels: {hook: "on"}}
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: gvisor}
handler: runsc
overhead: {podFixed: {cpu: 100m, memory: 20Mi}}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000000
description: important
preemptionPolicy: Never
---
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {kubernetes.io/hostname: n1, topology.kubernetes.io/zone: z1}}
spec: {podCIDR: 10.244.0.0/24, podCIDRs: [10.244.0.0/24], taints: [{key: dedicated, value: infra, effect: NoSchedule}]}
status:
  capacity: {cpu: "4", memory: 16Gi, pods: "110", ephemeral-storage: 100Gi}
  addresses: [{type: InternalIP, address: 10.0.0.21}, {type: Hostname, address: n1}]
  nodeInfo: {machineID: m, systemUUID: s, bootID: b, kernelVersion: 6.1.0, osImage: Debian, containerRuntimeVersion: "containerd://2.0.0", kubeletVersion: v1.37.2, kubeProxyVersion: "", operatingSystem: linux, architecture: amd64}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tmpl, namespace: inspect}
template:
  metadata: {labels: {t: "1"}}
  spec: {containers: [{name: c, image: registry.k8s.io/pause:3.10, args: [--x]}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: manual, namespace: inspect}
subsets: [{addresses: [{ip: 10.0.0.5}], notReadyAddresses: [{ip: 10.0.0.6}], ports: [{name: http, port: 8080}]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: mutate}
webhooks:
- name: mutate.example.com
  admissionReviewVersions: [v1]
  sideEffects: NoneOnDryRun
  reinvocationPolicy: IfNeeded
  clientConfig: {service: {namespace: inspect, name: hook, path: /mutate, port: 8443}}
  rules: [{apiGroups: [example.com], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [widgets]}]
  matchConditions: [{name: not-system, expression: "!request.userInfo.username.startsWith('system:')"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas}
spec: {policyName: max-replicas, validationActions: [Deny, Audit], matchResources: {namespaceSelector: {matchLabels: {env: prod}}}}
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttributesClass
metadata: {name: gold}
driverName: csi.example.com
parameters: {iops: "3000"}
---
apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata: {name: gpu}
spec: {selectors: [{cel: {expression: "device.driver == 'gpu.example.com'"}}]}
---
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: {name: csi.example.com}
spec: {attachRequired: false, podInfoOnMount: true, volumeLifecycleModes: [Persistent, Ephemeral], fsGroupPolicy: File}
`;

export const CRON_TAB = `
apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: nightly, namespace: inspect}
spec: {cronSpec: "0 2 * * *", replicas: 3, ratio: 1.5, tags: [a, b], port: 8080, extra: {x: {y: 1}}}
`;

/** A CertificateSigningRequest for a PEM request (base64), with user extras and an expiry. */
export function certificateSigningRequest(requestBase64: string): string {
  return `
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: alice}
spec:
  request: ${requestBase64}
  signerName: kubernetes.io/kube-apiserver-client
  usages: [digital signature, key encipherment, client auth]
  expirationSeconds: 86400
`;
}
