"""The fixed sine-cosine position table of "Attention Is All You Need", as VideoMAE uses it."""
import torch


def sinusoid_table(num_positions: int, embed_dims: int) -> torch.Tensor:
    """(1, num_positions, embed_dims) float32 table: sin on even, cos on odd channels.

    Channel ``2i`` and ``2i + 1`` of position ``p`` hold ``sin`` / ``cos`` of
    ``p / 10000 ** (2i / embed_dims)``, computed in float64 (VideoMAE's
    ``get_sinusoid_encoding_table``, mmaction2's ``get_sinusoid_encoding``).
    """
    channel = torch.arange(embed_dims, dtype=torch.float64)
    frequency = torch.pow(10000, -(channel - channel % 2) / embed_dims)
    table = torch.arange(num_positions, dtype=torch.float64)[:, None] * frequency
    table[:, 0::2].sin_()
    table[:, 1::2].cos_()
    return table.float()[None]
