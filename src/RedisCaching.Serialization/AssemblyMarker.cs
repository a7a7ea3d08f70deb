namespace RedisCaching.Serialization;

// Placeholder so the project builds while its first types are written; removed by the first real type.
internal static class AssemblyMarker
{
}
