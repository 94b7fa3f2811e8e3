/**
 * Delta Lake schema and log action types, as they appear in `_delta_log` JSON (protocol
 * reference: "Schema Serialization Format" and "Actions"). Plain data, no behaviour.
 */

export type DeltaPrimitiveName = 'string' | 'long' | 'integer' | 'short' | 'byte' | 'float' | 'double' | 'boolean' | 'binary' | 'date' | 'timestamp';

/** A primitive type name, or `decimal(p,s)`. */
export type DeltaPrimitiveType = DeltaPrimitiveName | `decimal(${number},${number})`;

/** A field of a Delta struct: name, type, nullability and metadata. */
export interface DeltaStructField {
  readonly name: string;
  readonly type: DeltaDataType;
  readonly nullable: boolean;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** A Delta struct type: ordered fields (a table schema is one). */
export interface DeltaStructType {
  readonly type: 'struct';
  readonly fields: readonly DeltaStructField[];
}

/** A Delta array type: element type and whether elements may be null. */
export interface DeltaArrayType {
  readonly type: 'array';
  readonly elementType: DeltaDataType;
  readonly containsNull: boolean;
}

/** A Delta map type: key and value types and whether values may be null. */
export interface DeltaMapType {
  readonly type: 'map';
  readonly keyType: DeltaDataType;
  readonly valueType: DeltaDataType;
  readonly valueContainsNull: boolean;
}

/** Any Delta data type: a primitive name, a struct, an array or a map. */
export type DeltaDataType = DeltaPrimitiveType | DeltaStructType | DeltaArrayType | DeltaMapType;

/** Delta's `protocol` action: minimum reader and writer versions (and features). */
export interface ProtocolAction {
  readonly minReaderVersion: number;
  readonly minWriterVersion: number;
  readonly readerFeatures?: readonly string[];
  readonly writerFeatures?: readonly string[];
}

/** Delta's `metaData` action: table id, schema string, partition columns and configuration. */
export interface MetaDataAction {
  readonly id: string;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly format: { readonly provider: string; readonly options: Readonly<Record<string, string>> };
  readonly schemaString: string;
  readonly partitionColumns: readonly string[];
  readonly configuration: Readonly<Record<string, string>>;
  readonly createdTime?: number | null;
}

/** Delta's `add` action: a data file with its partition values, size, stats and modification time. */
export interface AddAction {
  readonly path: string;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly modificationTime: number;
  readonly dataChange: boolean;
  readonly stats?: string | null;
  readonly tags?: Readonly<Record<string, string>> | null;
}

/** Delta's `remove` action: a data file logically deleted at a timestamp. */
export interface RemoveAction {
  readonly path: string;
  readonly deletionTimestamp?: number | null;
  readonly dataChange: boolean;
  readonly extendedFileMetadata?: boolean | null;
  readonly partitionValues?: Readonly<Record<string, string | null>> | null;
  readonly size?: number | null;
}

/** Delta's `txn` action: the last version an application id committed (exactly-once bookkeeping). */
export interface TxnAction {
  readonly appId: string;
  readonly version: number;
  readonly lastUpdated?: number | null;
}

export interface CommitInfoAction {
  readonly timestamp: number;
  readonly operation: string;
  readonly operationParameters?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** One line of a commit file. Unknown action kinds read from others' tables are kept opaque. */
export type Action =
  | { readonly protocol: ProtocolAction }
  | { readonly metaData: MetaDataAction }
  | { readonly add: AddAction }
  | { readonly remove: RemoveAction }
  | { readonly txn: TxnAction }
  | { readonly commitInfo: CommitInfoAction };
