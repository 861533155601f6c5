from . import response_support_phone_intake
