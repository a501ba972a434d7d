"""OCI Generative AI inference (``inference.generativeai``): the chat action, deterministic and journaled."""
