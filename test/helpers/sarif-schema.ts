// A focused subset of the SARIF 2.1.0 JSON schema (OASIS sarif-schema-2.1.0.json), written from
// the spec because the schema is not installed: the required members and the enumerations of
// sarifLog, run, tool/toolComponent, reportingDescriptor, result, message, location,
// physicalLocation, artifactLocation, logicalLocation, invocation and notification, with the
// same names, types and `required` lists. It is a structural check, not the full schema.
export const SARIF_2_1_0_SUBSET = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['version', 'runs'],
  properties: {
    $schema: { type: 'string', format: 'uri' },
    version: { const: '2.1.0' },
    runs: { type: ['array', 'null'], items: { $ref: '#/definitions/run' } },
  },
  definitions: {
    message: {
      type: 'object',
      anyOf: [{ required: ['text'] }, { required: ['id'] }],
      properties: {
        text: { type: 'string' },
        markdown: { type: 'string' },
        id: { type: 'string' },
        arguments: { type: 'array', items: { type: 'string' } },
      },
    },
    multiformatMessageString: {
      type: 'object',
      required: ['text'],
      properties: { text: { type: 'string' }, markdown: { type: 'string' } },
    },
    reportingConfiguration: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        level: { enum: ['none', 'note', 'warning', 'error'] },
        rank: { type: 'number', minimum: -1, maximum: 100 },
      },
    },
    reportingDescriptor: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        shortDescription: { $ref: '#/definitions/multiformatMessageString' },
        fullDescription: { $ref: '#/definitions/multiformatMessageString' },
        help: { $ref: '#/definitions/multiformatMessageString' },
        helpUri: { type: 'string', format: 'uri' },
        defaultConfiguration: { $ref: '#/definitions/reportingConfiguration' },
        properties: { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' }, uniqueItems: true } } },
      },
    },
    toolComponent: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string' },
        version: { type: 'string' },
        semanticVersion: { type: 'string' },
        informationUri: { type: 'string', format: 'uri' },
        rules: { type: 'array', items: { $ref: '#/definitions/reportingDescriptor' }, uniqueItems: true },
      },
    },
    tool: { type: 'object', required: ['driver'], properties: { driver: { $ref: '#/definitions/toolComponent' } } },
    artifactLocation: {
      type: 'object',
      properties: {
        uri: { type: 'string', format: 'uri-reference' },
        uriBaseId: { type: 'string' },
        index: { type: 'integer', minimum: -1 },
        description: { $ref: '#/definitions/message' },
      },
    },
    physicalLocation: {
      type: 'object',
      anyOf: [{ required: ['address'] }, { required: ['artifactLocation'] }],
      properties: { artifactLocation: { $ref: '#/definitions/artifactLocation' }, address: { type: 'object' }, region: { type: 'object' } },
    },
    logicalLocation: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        fullyQualifiedName: { type: 'string' },
        kind: { type: 'string' },
        index: { type: 'integer', minimum: -1 },
      },
    },
    location: {
      type: 'object',
      properties: {
        physicalLocation: { $ref: '#/definitions/physicalLocation' },
        logicalLocations: { type: 'array', items: { $ref: '#/definitions/logicalLocation' }, uniqueItems: true },
        message: { $ref: '#/definitions/message' },
      },
    },
    result: {
      type: 'object',
      required: ['message'],
      properties: {
        ruleId: { type: 'string' },
        ruleIndex: { type: 'integer', minimum: -1 },
        kind: { enum: ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'] },
        level: { enum: ['none', 'note', 'warning', 'error'] },
        message: { $ref: '#/definitions/message' },
        locations: { type: 'array', items: { $ref: '#/definitions/location' } },
        partialFingerprints: { type: 'object', additionalProperties: { type: 'string' } },
        properties: { type: 'object' },
      },
      // SARIF §3.27.9/§3.27.10: a level other than "none" only with kind "fail" (or kind absent)
      if: { required: ['kind'], properties: { kind: { not: { const: 'fail' } } } },
      then: { properties: { level: { const: 'none' } } },
    },
    notification: {
      type: 'object',
      required: ['message'],
      properties: { message: { $ref: '#/definitions/message' }, level: { enum: ['none', 'note', 'warning', 'error'] } },
    },
    invocation: {
      type: 'object',
      required: ['executionSuccessful'],
      properties: {
        executionSuccessful: { type: 'boolean' },
        startTimeUtc: { type: 'string', format: 'date-time' },
        endTimeUtc: { type: 'string', format: 'date-time' },
        machine: { type: 'string' },
        toolExecutionNotifications: { type: 'array', items: { $ref: '#/definitions/notification' } },
      },
    },
    run: {
      type: 'object',
      required: ['tool'],
      properties: {
        tool: { $ref: '#/definitions/tool' },
        invocations: { type: 'array', items: { $ref: '#/definitions/invocation' } },
        results: { type: ['array', 'null'], items: { $ref: '#/definitions/result' } },
        automationDetails: { type: 'object', properties: { id: { type: 'string' } } },
        properties: { type: 'object' },
      },
    },
  },
} as const;
