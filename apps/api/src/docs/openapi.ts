import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';

type Schemas = NonNullable<OpenAPIObject['components']>['schemas'];

/**
 * OpenAPI at /docs. Request schemas come from the same class-validator rules that validate
 * the requests, so the document cannot drift from what the API accepts.
 */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tiergate API')
      .setDescription("Management API of every tier. Errors: `{error:{code,message,id}}`. The relay speaks the providers' own protocols.")
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
  const fromValidation = validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' }) as Schemas;
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...fromValidation } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return document;
}
