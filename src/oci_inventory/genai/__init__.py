"""The GenAI executive summary and ``genai-chat``: configuration, redaction, prompt, and the chat call."""
